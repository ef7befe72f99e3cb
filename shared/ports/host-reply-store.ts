/**
 * Where session hosts put their answers to API requests (`shared/contracts/host-request.ts`) and where the
 * waiting API reads them, by request id. Entries live minutes: a reply is only worth something while its
 * request waits.
 */
import type { HostReply } from '../contracts/host-request.js';

export interface HostReplyStore {
  /** Stores the reply to `requestId` (a second put for the same id replaces the first). */
  put(requestId: string, sessionId: string, reply: HostReply, ttlSeconds: number): Promise<void>;
  /** The reply to `requestId`, read strongly consistent; null while none is stored (or it expired). */
  get(requestId: string): Promise<HostReply | null>;
}
