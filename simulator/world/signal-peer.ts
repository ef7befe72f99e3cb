import libsignal from 'libsignal';
import type { SessionRecord, SignalStorage } from 'libsignal';
import {
  Curve,
  encodeWAMessage,
  generateRegistrationId,
  generateSignalPubKey,
  proto,
  signedKeyPair,
  unpadRandomMax16,
} from '@whiskeysockets/baileys';
import type { KeyPair } from '@whiskeysockets/baileys';
import { SenderKeys } from './sender-keys.js';

const { ProtocolAddress, SessionBuilder, SessionCipher } = libsignal;

/** libsignal wants 33-byte (0x05-prefixed) public keys; Baileys' Curve deals in raw 32-byte ones. */
const asSignalPair = (kp: KeyPair): { pubKey: Buffer; privKey: Buffer } => ({
  pubKey: Buffer.from(generateSignalPubKey(kp.public)),
  privKey: Buffer.from(kp.private),
});

export interface PublicSignedPreKey {
  keyId: number;
  publicKey: Buffer;
  signature: Buffer;
}

/** What a device publishes so others can open a Signal session to it. */
export interface PreKeyBundle {
  registrationId: number;
  identityKey: Buffer;
  signedPreKey: PublicSignedPreKey;
  preKey?: { keyId: number; publicKey: Buffer };
}

export type CipherType = 'pkmsg' | 'msg';

/** The part of libsignal's SessionRecord its typings leave out: the open session and its pending prekey. */
interface OpenSessionAccess {
  getOpenSession(): { pendingPreKey?: unknown } | undefined;
}

/** Number of one-time prekeys a simulated phone keeps in stock, not yet handed out. */
const PREKEY_STOCK = 20;

/**
 * A simulated phone (a contact's, or an account's primary device 0) holding a real Signal identity, so that what
 * Baileys encrypts can be decrypted and what it receives is genuinely end-to-end encrypted.
 */
export class SignalPeer {
  readonly identity: KeyPair = Curve.generateKeyPair();
  readonly registrationId = generateRegistrationId();
  /** Its group keys: its own sender key per group and those other members distributed to it. */
  readonly senderKeys = new SenderKeys();
  private readonly signed = signedKeyPair(this.identity, 1);
  private readonly preKeys = new Map<number, KeyPair>();
  private nextPreKeyId = 1;
  /** The next one-time prekey to put in a bundle: keys go out once each, in id order, so every id below it went. */
  private nextOfferedId = 1;
  private readonly sessions = new Map<string, SessionRecord>();
  private readonly storage: SignalStorage;

  constructor() {
    this.refillPreKeys();
    const sessions = this.sessions;
    const preKeys = this.preKeys;
    const identity = this.identity;
    const signed = this.signed;
    const registrationId = this.registrationId;
    this.storage = {
      loadSession: async (id) => sessions.get(id),
      storeSession: async (id, record) => {
        sessions.set(id, record);
      },
      // A contact accepts whatever identity the other side presents: Baileys re-keys on every new socket.
      isTrustedIdentity: () => true,
      loadPreKey: async (id) => {
        const kp = preKeys.get(Number(id));
        return kp ? asSignalPair(kp) : undefined;
      },
      removePreKey: (id) => {
        preKeys.delete(Number(id));
      },
      loadSignedPreKey: () => asSignalPair(signed.keyPair),
      getOurRegistrationId: () => registrationId,
      getOurIdentity: () => asSignalPair(identity),
    };
  }

  private refillPreKeys(): void {
    while (this.nextPreKeyId - this.nextOfferedId < PREKEY_STOCK) {
      this.preKeys.set(this.nextPreKeyId++, Curve.generateKeyPair());
    }
  }

  /**
   * Hands out a bundle with a one-time prekey no other bundle carried: the server gives each one out once (as the
   * real one does), so two senders never build sessions on the same key and the second pkmsg never names a key the
   * phone already used (`Invalid PreKey ID`; before, keys were rotated through a stock of 20, and a burst from
   * more than 20 new senders lost messages). The phone keeps every key handed out until a pkmsg consumes it, because
   * Baileys may fetch bundles again on every new socket without ever using the earlier ones.
   */
  takeBundle(): PreKeyBundle {
    this.refillPreKeys();
    const keyId = this.nextOfferedId++;
    // Never consumed: only a key that went out in a bundle can be named by a pkmsg.
    const kp = this.preKeys.get(keyId);
    const bundle: PreKeyBundle = {
      registrationId: this.registrationId,
      identityKey: Buffer.from(this.identity.public),
      signedPreKey: {
        keyId: this.signed.keyId,
        publicKey: Buffer.from(this.signed.keyPair.public),
        signature: Buffer.from(this.signed.signature),
      },
    };
    if (kp) bundle.preKey = { keyId, publicKey: Buffer.from(kp.public) };
    return bundle;
  }

  /** Drops every session with `name`'s devices (the phone lost its data); returns how many there were. */
  forgetSessions(name: string): number {
    const prefix = `${name}.`;
    const gone = [...this.sessions.keys()].filter((id) => id.startsWith(prefix));
    for (const id of gone) this.sessions.delete(id);
    return gone.length;
  }

  hasSession(name: string, deviceId: number): boolean {
    return this.sessions.get(new ProtocolAddress(name, deviceId).toString())?.haveOpenSession() ?? false;
  }

  async openSession(name: string, deviceId: number, bundle: PreKeyBundle): Promise<void> {
    const builder = new SessionBuilder(this.storage, new ProtocolAddress(name, deviceId));
    const preKey = bundle.preKey
      ? { keyId: bundle.preKey.keyId, publicKey: generateSignalPubKey(bundle.preKey.publicKey) }
      : undefined;
    // libsignal's typings demand a one-time prekey, but the protocol (and the library) work without one.
    await builder.initOutgoing({
      registrationId: bundle.registrationId,
      identityKey: generateSignalPubKey(bundle.identityKey),
      signedPreKey: {
        keyId: bundle.signedPreKey.keyId,
        publicKey: generateSignalPubKey(bundle.signedPreKey.publicKey),
        signature: bundle.signedPreKey.signature,
      },
      preKey: preKey as { keyId: number; publicKey: Uint8Array },
    });
  }

  /**
   * The other side has answered on this session, so it is established: what follows goes out as `msg`, not
   * `pkmsg` (libsignal drops the pending prekey the same way when it decrypts a reply).
   */
  async settle(name: string, deviceId: number): Promise<void> {
    const id = new ProtocolAddress(name, deviceId).toString();
    const record = this.sessions.get(id) as (SessionRecord & OpenSessionAccess) | undefined;
    const open = record?.getOpenSession();
    if (!record || !open?.pendingPreKey) return;
    delete open.pendingPreKey;
    this.sessions.set(id, record);
  }

  async encrypt(
    name: string,
    deviceId: number,
    message: proto.IMessage,
  ): Promise<{ type: CipherType; ciphertext: Buffer }> {
    const cipher = new SessionCipher(this.storage, new ProtocolAddress(name, deviceId));
    const { type, body } = await cipher.encrypt(encodeWAMessage(message));
    return { type: type === 3 ? 'pkmsg' : 'msg', ciphertext: Buffer.from(body, 'binary') };
  }

  async decrypt(name: string, deviceId: number, type: string, ciphertext: Buffer): Promise<proto.Message> {
    const cipher = new SessionCipher(this.storage, new ProtocolAddress(name, deviceId));
    const plaintext =
      type === 'pkmsg'
        ? await cipher.decryptPreKeyWhisperMessage(ciphertext)
        : await cipher.decryptWhisperMessage(ciphertext);
    return proto.Message.decode(unpadRandomMax16(plaintext));
  }
}
