/** Problems specific to the control plane's use cases, beyond the domain's catalog. */
import { AppError } from '../domain/errors.js';

/** A session host did not answer in time (e.g. a pairing code); the request may be retried. */
export class HostTimeoutError extends AppError {
  readonly status = 504;
  readonly slug = 'host-timeout';
  readonly title = 'The session host did not answer in time';
}

/** A dependency the request needs is failing right now; retrying later is the right move. */
export class ServiceUnavailableError extends AppError {
  readonly status = 503;
  readonly slug = 'service-unavailable';
  readonly title = 'Service unavailable';

  override headers(): Record<string, string> {
    return { 'Retry-After': '5' };
  }
}

/** The session is not connected to WhatsApp right now, so nothing can be asked of WhatsApp for it. */
export class SessionNotConnectedError extends AppError {
  readonly status = 409;
  readonly slug = 'session-not-connected';
  readonly title = 'The session is not connected';
}

/** WhatsApp refused or failed what the session host asked of it on the tenant's behalf. */
export class WhatsAppRequestError extends AppError {
  readonly status = 502;
  readonly slug = 'whatsapp-error';
  readonly title = 'WhatsApp did not answer the request';

  constructor(
    detail: string,
    /** WhatsApp's error code when it refused (an IQ's `<error code>`), for callers that map it to a status. */
    readonly waCode?: number,
  ) {
    super(detail);
  }
}
