/// <reference lib="dom" />
/**
 * The few platform API calls the pairing page makes, with the tenant's API key. Errors carry the problem
 * document's `detail` (RFC 9457) so the page can show it.
 */

export interface SessionSummary {
  readonly id: string;
  readonly name?: string;
  readonly status: string;
  readonly phone?: string;
}

export interface WsTicket {
  readonly ticket: string;
  readonly expiresAt: string;
  readonly url?: string;
}

export interface CurrentQr {
  readonly qr: string;
  readonly refresh: number;
  readonly expiresAt: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class PlatformApi {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: {
        authorization: `Bearer ${this.apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const json: unknown = text ? JSON.parse(text) : undefined;
    if (!response.ok) {
      const detail = (json as { detail?: string; title?: string } | undefined) ?? {};
      throw new ApiError(response.status, detail.detail ?? detail.title ?? `HTTP ${response.status}`);
    }
    return json as T;
  }

  async listSessions(): Promise<SessionSummary[]> {
    return (await this.call<{ items: SessionSummary[] }>('GET', '/v1/sessions?limit=100')).items;
  }

  createSession(name: string): Promise<SessionSummary> {
    return this.call<SessionSummary>('POST', '/v1/sessions', { name });
  }

  /** Starts a stopped session again under the same id (a host claims it and shows a new QR). */
  startSession(sessionId: string): Promise<SessionSummary> {
    return this.call<SessionSummary>('POST', `/v1/sessions/${encodeURIComponent(sessionId)}/start`);
  }

  getSession(sessionId: string): Promise<SessionSummary> {
    return this.call<SessionSummary>('GET', `/v1/sessions/${encodeURIComponent(sessionId)}`);
  }

  createTicket(sessionId: string): Promise<WsTicket> {
    return this.call<WsTicket>('POST', `/v1/sessions/${encodeURIComponent(sessionId)}/ws-tickets`);
  }

  /** The QR already waiting (the host may have pushed it before the socket opened); null when none. */
  async currentQr(sessionId: string): Promise<CurrentQr | null> {
    try {
      return await this.call<CurrentQr>(
        'GET',
        `/v1/sessions/${encodeURIComponent(sessionId)}/qr?format=json`,
      );
    } catch (error) {
      if (error instanceof ApiError && (error.status === 409 || error.status === 404)) return null;
      throw error;
    }
  }
}
