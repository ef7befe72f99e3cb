/**
 * Pushes frames to the browsers watching a session (QR codes, status changes) over the WebSocket API.
 * Connections found gone are forgotten as a side effect, so a closed tab costs one failed post, not one per push.
 */

/** Every frame has a `type` (`session.qr`, `session.status`...) so browsers can switch on it. */
export interface WsFrame {
  readonly type: string;
  readonly [field: string]: unknown;
}

export interface WsPushResult {
  /** Connections the frame was posted to. */
  readonly sent: number;
  /** Connections that were gone (and have been deleted). */
  readonly gone: number;
  /** Connections that failed for another reason (throttled, too large...); kept, the next push retries. */
  readonly failed: number;
}

export interface WsPusher {
  pushToSession(sessionId: string, frame: WsFrame): Promise<WsPushResult>;
}
