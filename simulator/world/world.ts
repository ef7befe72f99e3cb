import { Curve, jidDecode, jidEncode } from '@whiskeysockets/baileys';
import { S_WHATSAPP_NET } from '../wire/nodes.js';
import { Groups } from './groups.js';
import { MediaStore, MediaUploadAuth } from './media.js';
import { SignalPeer } from './signal-peer.js';
import type { Account, Contact, InboxEntry, LinkedDevice } from './types.js';

export const PHONE_PATTERN = /^\d{6,15}$/;

/** E.164 with or without '+', or a jid: WhatsApp users are bare digits. */
export const normalizePhone = (input: string): string => {
  const user = input.includes('@') ? (jidDecode(input)?.user ?? '') : input.replace(/^\+/, '');
  if (!PHONE_PATTERN.test(user)) throw new Error(`not a phone number: ${input}`);
  return user;
};

export const pnJid = (phone: string, device?: number): string => jidEncode(phone, S_WHATSAPP_NET, device);
export const lidJid = (lid: string, device?: number): string => jidEncode(lid, 'lid', device);

/**
 * Everyone the simulated WhatsApp knows: accounts (whose companions Baileys plays) and contacts (simulated
 * people with their own phones), plus the media files contacts sent and companions uploaded. Pure state; nothing here touches a socket.
 */
export class World {
  readonly accounts = new Map<string, Account>();
  readonly contacts = new Map<string, Contact>();
  /** Groups and their members (world/groups.ts). */
  readonly groups = new Groups();
  /**
   * Encrypted media files: what contacts sent (served at `GET /media/<id>` on the control port) and what
   * companions uploaded to the media host (served there at `GET /v/<id>`).
   */
  readonly media = new MediaStore();
  /** The `auth` token of the media host's uploads (handed out by `media_conn`). */
  readonly mediaAuth = new MediaUploadAuth();
  /** The decrypted file of each inbox entry that carried media (kept out of the entry, which is JSON). */
  readonly inboxMedia = new WeakMap<InboxEntry, Buffer>();
  /** Polls contacts sent (by message id): the secret votes on them are encrypted with, and their options. */
  readonly contactPolls = new Map<string, { contact: string; secret: Buffer; options: string[] }>();
  private lidCounter = 0;

  private nextLid(prefix: number): string {
    this.lidCounter += 1;
    return String(prefix * 1e14 + this.lidCounter);
  }

  account(phone: string): Account | undefined {
    return this.accounts.get(phone);
  }

  ensureAccount(phone: string, name?: string): Account {
    const existing = this.accounts.get(phone);
    if (existing) {
      if (name) existing.name = name;
      return existing;
    }
    const account: Account = {
      phone,
      name: name ?? `User ${phone}`,
      lid: this.nextLid(1),
      advIdentity: Curve.generateKeyPair(),
      primary: new SignalPeer(),
      devices: new Map(),
      nextDeviceId: 1,
    };
    this.accounts.set(phone, account);
    return account;
  }

  ensureContact(phone: string, name?: string): Contact {
    const existing = this.contacts.get(phone);
    if (existing) {
      if (name) existing.name = name;
      return existing;
    }
    const contact: Contact = {
      phone,
      name: name ?? `Contact ${phone}`,
      lid: this.nextLid(2),
      addressing: 'pn',
      peer: new SignalPeer(),
      inbox: [],
      outbox: [],
    };
    this.contacts.set(phone, contact);
    return contact;
  }

  /** A contact or an account, by pn or lid jid (device suffix ignored). */
  resolve(jid: string): { contact: Contact } | { account: Account } | undefined {
    const decoded = jidDecode(jid);
    if (!decoded?.user) return undefined;
    const byLid = decoded.server === 'lid';
    for (const contact of this.contacts.values()) {
      if ((byLid ? contact.lid : contact.phone) === decoded.user) return { contact };
    }
    for (const account of this.accounts.values()) {
      if ((byLid ? account.lid : account.phone) === decoded.user) return { account };
    }
    return undefined;
  }

  addDevice(account: Account, device: Omit<LinkedDevice, 'id' | 'keyIndex' | 'linkedAt'>): LinkedDevice {
    const id = account.nextDeviceId++;
    const linked: LinkedDevice = { ...device, id, keyIndex: id, linkedAt: Date.now() };
    account.devices.set(id, linked);
    return linked;
  }

  /** Reserves the next device id, so a pairing in flight can announce its jid before it is confirmed. */
  reserveDeviceId(account: Account): number {
    return account.nextDeviceId++;
  }

  insertDevice(account: Account, device: LinkedDevice): void {
    account.devices.set(device.id, device);
  }
}
