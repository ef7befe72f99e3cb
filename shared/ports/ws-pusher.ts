/**
 * Pushes frames to browsers over the WebSocket API: to those watching a session (QR codes, status changes: the
 * session host), or to a tenant's room (domain events: the realtime worker).
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

/**
 * The realtime worker's side: an event of one session goes to the tenant's room, i.e. every live connection of
 * the tenant that is tenant-wide (no `sessionId`) or bound to that session. Other tenants' connections are never
 * read (the listing is by tenant).
 */
export interface WsRoomPusher {
  pushToRoom(tenantId: string, sessionId: string, frame: WsFrame): Promise<WsPushResult>;
  /**
   * A pusher for the records of one queue batch, which share their reads: each tenant's connections are listed
   * once for the batch instead of once per event. Without it, every push reads on its own.
   */
  forOneBatch?(): WsRoomPusher;
}
