import type { KeyPair } from '@whiskeysockets/baileys';
import type { BinaryNode } from '../wire/nodes.js';
import type { PublicSignedPreKey, SignalPeer } from './signal-peer.js';

/** A companion (WhatsApp Web / Baileys) linked to an account's phone. */
export interface LinkedDevice {
  id: number;
  keyIndex: number;
  /** The client's static Noise key: how a login is matched to this device. */
  noiseKey: Buffer;
  identityKey: Buffer;
  registrationId: number;
  signedPreKey: PublicSignedPreKey;
  /** One-time prekeys uploaded by the client (id -> public key). */
  preKeys: Map<number, Buffer>;
  /**
   * What `encrypt:count` reports instead of the real stock, for devices provisioned from saved creds whose
   * prekeys never reach the simulator (it spares the client an 812-key upload).
   */
  claimedPreKeyCount?: number;
  /** Stanzas waiting for the device's next login; each is sent with offline="1". */
  offline: BinaryNode[];
  /** Whether the phone already pushed the initial history-sync bootstrap. */
  historyBootstrapped: boolean;
  /** Whether the phone already shared its app-state sync key with the device (at its first login). */
  appStateKeyShared?: boolean;
  linkedAt: number;
  /**
   * Id of the status at the head of the offline queue that today's server waits to see acked before it
   * delivers anything else to this device (flows/offline-queue.ts); unset when nothing is held.
   */
  offlineHold?: string;
}

/** A WhatsApp account: its primary phone (device 0) and the companions linked to it. */
export interface Account {
  phone: string;
  name: string;
  lid: string;
  /** The account's ADV identity: the phone signs companions' identities with it. */
  advIdentity: KeyPair;
  /** Device 0: the phone as a Signal peer (it receives a copy of everything a companion sends). */
  primary: SignalPeer;
  devices: Map<number, LinkedDevice>;
  nextDeviceId: number;
}

export type MessageKind =
  | 'text'
  | 'reaction'
  | 'image'
  | 'video'
  | 'audio'
  | 'document'
  | 'sticker'
  | 'location'
  | 'contacts'
  | 'poll'
  | 'protocol'
  | 'other';

export type DeliveryStatus = 'sent' | 'delivered' | 'read';

/** A message a contact received from an account's companion, as the contact decrypted it. */
export interface InboxEntry {
  id: string;
  /** The sender's device jid, e.g. 15550001111:1@s.whatsapp.net. */
  from: string;
  type: MessageKind;
  text?: string;
  /** The decrypted WAProto message as JSON. */
  content: Record<string, unknown>;
  timestamp: number;
  /** Receipts the contact has sent for it so far. */
  status: DeliveryStatus;
  /**
   * For an image, video, audio, document or sticker: the file the contact's phone fetched from the media host and
   * decrypted (`sha256` hex of the plain bytes; the bytes themselves through `contactMedia()` /
   * `GET /contacts/{phone}/inbox/{id}/media`), or why it could not (`error`).
   */
  media?: { mimetype: string; fileLength: number; sha256?: string; error?: string };
  /** The sender edited it (flows/inbox-actions.ts): `text` is the latest, `editHistory` the earlier ones. */
  edited?: boolean;
  editHistory?: string[];
  /** The sender deleted it for everyone: `text` and `content` are cleared. */
  revoked?: boolean;
}

/** A message a contact sent to an account, with what the account's devices acknowledged. */
export interface OutboxEntry {
  id: string;
  to: string;
  type: MessageKind;
  text?: string;
  timestamp: number;
  status: DeliveryStatus;
  replyTo?: string;
  /** Media the contact sent (`text` is then its caption): where the encrypted file is served, and its facts. */
  media?: { url: string; mimetype: string; fileLength: number; fileName?: string; ptt?: boolean };
  /** The contact's device that sent it, when not its phone (a companion `:N`). */
  fromDevice?: number;
  /** The contact edited or revoked it later (flows/contact-edit.ts, flows/contact-revoke.ts). */
  edited?: boolean;
  revoked?: boolean;
}

/**
 * How the server addresses a contact's stanzas: `pn` (`<phone>@s.whatsapp.net`, with `sender_lid`) or, once the
 * contact is migrated to LID addressing, `lid` (`<lid>@lid`, `addressing_mode="lid"`, `sender_pn`). A contact can
 * switch mid-chat, as real accounts did during the 2026 LID rollout.
 */
export type Addressing = 'pn' | 'lid';

export interface Contact {
  phone: string;
  name: string;
  lid: string;
  addressing: Addressing;
  peer: SignalPeer;
  inbox: InboxEntry[];
  outbox: OutboxEntry[];
  /** Companion devices linked to the contact's phone (`:N`), each with its own Signal identity; none by default. */
  companions?: Map<number, SignalPeer>;
  /**
   * The contact is not in the LID rollout yet: while it is PN-addressed the server neither announces its LID
   * (`sender_lid`) nor maps it (usync answers without `lid`), as for everyone before mid-2026.
   */
  lidHidden?: boolean;
}
