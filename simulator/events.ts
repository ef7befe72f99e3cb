import type { proto } from '@whiskeysockets/baileys';
import type { Direction } from './wire/connection.js';
import type { BinaryNode } from './wire/nodes.js';
import type { InboxEntry } from './world/types.js';

export interface StanzaEvent {
  direction: Direction;
  node: BinaryNode;
  connectionId: number;
  phone?: string;
  deviceId?: number;
}

export interface DeviceRef {
  phone: string;
  deviceId: number;
  jid: string;
}

/** Everything the simulator observes, for tests that assert on what the server side saw. */
export interface SimulatorEvents {
  stanza: [StanzaEvent];
  /** The ClientPayload a client sent at the end of the Noise handshake (what it claims to be). */
  'client-payload': [{ connectionId: number; kind: 'registration' | 'login'; payload: proto.ClientPayload }];
  'qr-refs': [{ connectionId: number; refs: string[] }];
  'pairing-code-requested': [{ phone: string; connectionId: number }];
  paired: [DeviceRef & { method: 'qr' | 'code' | 'provisioned' }];
  login: [DeviceRef & { connectionId: number; offlineCount: number }];
  'login-refused': [{ phone: string; deviceId: number; reason: number }];
  replaced: [DeviceRef & { connectionId: number }];
  logout: [DeviceRef];
  unlinked: [DeviceRef];
  /** A contact decrypted a message from a companion. */
  message: [{ contact: string; entry: InboxEntry }];
  /** A contact's phone applied an account's edit / revoke to a message in its inbox (flows/inbox-actions.ts). */
  'inbox-edited': [{ contact: string; id: string; text: string }];
  'inbox-revoked': [{ contact: string; id: string }];
  /** The account's phone edited or revoked message `id` it had sent to `contact` (flows/phone-message-actions.ts). */
  'phone-message-change': [
    { phone: string; contact: string; id: string; action: 'edit' | 'revoke'; text?: string },
  ];
  /** A contact got a message id it already had from that account again and dropped it (not in the inbox twice). */
  'message-duplicate': [{ contact: string; id: string; from: string }];
  /** The account's own phone decrypted its copy of something a companion sent. */
  'phone-copy': [{ phone: string; id: string; message: proto.IMessage }];
  /** A companion sent a receipt for a contact's message. */
  receipt: [{ phone: string; contact: string; messageIds: string[]; type: string }];
  'message-ack': [{ phone: string; id: string; error?: number }];
  /** The media host stored an upload (`id` is the store id in its `/v/<id>` path). */
  'media-upload': [{ id: string; mediaType: string; size: number }];
  disconnect: [{ connectionId: number; phone?: string; deviceId?: number }];
  /** A companion asked its phone to re-upload an expired file; `reply` is how the phone answers. */
  'media-retry': [{ phone: string; messageId: string; reply: 'reupload' | 'none' | 'error' }];
  /** The server ended a device's stream with `<stream:error><ack/>` (flows/stream-error.ts). */
  'stream-error-ack': [DeviceRef & { connectionId: number; ackId: string }];
  'unhandled-iq': [{ node: BinaryNode }];
  /** The server stored an app-state patch (`by`: the device that made it; 0 is the phone). */
  'app-state-patch': [{ phone: string; collection: string; version: number; by: number }];
  problem: [{ connectionId?: number; error: unknown }];
  /** A contact's phone asked an account's companions to resend a message (`<receipt type="retry">`). */
  'retry-receipt': [
    { contact: string; phone: string; id: string; count: number; from: string; withKeys: boolean },
  ];
  /** A companion resent a message a contact asked for (same id); `encCount` is the resend's `<enc count>`. */
  'retry-resend': [{ contact: string; phone: string; id: string; retryCount: number; encCount?: number }];
  /** A companion NACKed the status heading its offline queue: the rest stays withheld (today's server). */
  'offline-stall': [{ phone: string; deviceId: number; messageId: string; error: string }];
  /** A companion acked the held head of its offline queue plainly: the rest was delivered. */
  'offline-released': [{ phone: string; deviceId: number; released: number }];
  /** The companion acked a `companion_reg_refresh` (or did not within 5 s: `acked: false`, plus a `problem`). */
  'companion-reg-refresh': [{ connectionId: number; ref: string; acked: boolean }];
  /** A companion set its account online or offline (flows/presence.ts). */
  presence: [{ phone: string; presence: 'available' | 'unavailable' }];
  /** A companion subscribed its account to a contact's presence. */
  'presence-subscribe': [{ phone: string; contact: string }];
  /** A contact's phone showed a chat state an account's companion sent ("typing..."). */
  chatstate: [{ contact: string; from: string; state: 'composing' | 'recording' | 'paused'; at: number }];
  /** An account blocked or unblocked a contact (flows/profile.ts). */
  blocklist: [{ phone: string; contact: string; action: 'block' | 'unblock' }];
  /** A blocked contact's message was not delivered to the account. */
  'blocked-message': [{ phone: string; contact: string; id: string }];
  /** A contact called an account (`rang`: how many connected companions got the offer). */
  'call-offer': [CallEvent & { rang: number }];
  /** A companion rejected a call. */
  'call-rejected': [CallEvent];
  /** The server pushed a `w:gp2` notification about a group change (`change`: the child tags). */
  'group-notification': [{ group: string; actor: string; change: string }];
  /** A member device decrypted (or could not decrypt: `error`) a group message's skmsg. */
  'group-message': [
    { group: string; id: string; from: string; device: string; error?: string; message?: proto.IMessage },
  ];
  /** A member device that could not decrypt a group message asked its sender for it again (flows/group-retry.ts). */
  'group-retry-receipt': [{ group: string; id: string; device: string; count: number }];
}

export interface CallEvent {
  id: string;
  from: string;
  to: string;
  video: boolean;
  group: boolean;
  status: 'ringing' | 'rejected';
  rejectedBy?: number;
}
