/**
 * Why a send did not happen, as recorded on the message (`error: { code, message }`) and echoed in its
 * `message.status` event. The message is safe to show the tenant: it never carries credentials, bodies or
 * internal addresses.
 */

/** Codes a tenant can act on (docs/messaging.md, "Failures"). */
export type SendFailureCode =
  | 'not_on_whatsapp'
  | 'bad_recipient'
  | 'media_not_found'
  | 'media_too_large'
  | 'media_unavailable'
  | 'unsafe_url'
  | 'reply_target_not_found'
  | 'reaction_target_not_found'
  | 'edit_target_not_found'
  | 'revoke_target_not_found'
  | 'wa_rejected'
  | 'reachout_timelocked'
  | 'send_failed';

export class SendFailure extends Error {
  override readonly name = 'SendFailure';
  constructor(
    readonly code: SendFailureCode,
    message: string,
    /** True when another attempt may succeed (network, timeout); false fails the message at once. */
    readonly retryable = false,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
