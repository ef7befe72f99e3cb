/**
 * The key state a busy linked device really carries, for the density benchmark's realistic side: its 812
 * one-time prekeys (what Baileys generates and uploads after pairing) and an established Signal session with
 * each of `contacts` contacts. The sessions are built by Baileys' own code (`injectE2ESession`, what it runs
 * on every prekey bundle WhatsApp sends before a first message) from bundles with freshly generated identity,
 * signed prekey and one-time prekey, so every record has the shape and size of a real one.
 *
 * Building 1,000 sessions costs seconds of CPU (X3DH in JavaScript), so one set is built per run and given to
 * every seeded session: each session still loads, parses and holds its own copy, which is what the memory
 * figures measure. The records name the template device's identity, not each session's own; an idle
 * benchmark session never encrypts with them.
 */
import {
  addTransactionCapability,
  Curve,
  generateRegistrationId,
  initAuthCreds,
  signedKeyPair,
  type SignalDataSet,
  type SignalDataTypeMap,
  type SignalKeyStore,
} from '@whiskeysockets/baileys';
// Not re-exported from the package root in rc14; the package has no exports map, so the file is reachable.
import { makeLibSignalRepository } from '@whiskeysockets/baileys/lib/Signal/libsignal.js';
import { pino } from 'pino';

/** What Baileys uploads after a pairing (INITIAL_PREKEY_COUNT in rc14). */
export const PREKEYS_AFTER_PAIRING = 812;

function memoryKeyStore(data: Map<string, Map<string, unknown>>): SignalKeyStore {
  return {
    get: async <T extends keyof SignalDataTypeMap>(type: T, ids: string[]) => {
      const out: { [id: string]: SignalDataTypeMap[T] } = {};
      const m = data.get(type);
      for (const id of ids) {
        const v = m?.get(id);
        if (v !== undefined) out[id] = v as SignalDataTypeMap[T];
      }
      return out;
    },
    set: async (set: SignalDataSet) => {
      for (const [type, entries] of Object.entries(set)) {
        let m = data.get(type);
        if (!m) data.set(type, (m = new Map()));
        for (const [id, value] of Object.entries(entries ?? {})) {
          if (value === null || value === undefined) m.delete(id);
          else m.set(id, value);
        }
      }
    },
  };
}

/** `contacts` Signal sessions plus the prekeys, as one `keys.set` argument. */
export async function buildRealisticKeys(contacts: number): Promise<SignalDataSet> {
  const logger = pino({ level: 'silent' });
  const data = new Map<string, Map<string, unknown>>();
  const keys = addTransactionCapability(memoryKeyStore(data), logger, {
    maxCommitRetries: 1,
    delayBetweenTriesMs: 0,
  });
  const repository = makeLibSignalRepository({ creds: initAuthCreds(), keys }, logger);
  for (let i = 0; i < contacts; i++) {
    const identity = Curve.generateKeyPair();
    const signed = signedKeyPair(identity, 1);
    const oneTime = Curve.generateKeyPair();
    await repository.injectE2ESession({
      jid: `1555${String(i).padStart(7, '0')}@s.whatsapp.net`,
      session: {
        registrationId: generateRegistrationId(),
        identityKey: Buffer.concat([Buffer.from([5]), identity.public]),
        signedPreKey: {
          keyId: signed.keyId,
          publicKey: Buffer.concat([Buffer.from([5]), signed.keyPair.public]),
          signature: signed.signature,
        },
        preKey: { keyId: i + 1, publicKey: Buffer.concat([Buffer.from([5]), oneTime.public]) },
      },
    });
  }
  const preKeys: Record<string, SignalDataTypeMap['pre-key']> = {};
  for (let id = 1; id <= PREKEYS_AFTER_PAIRING; id++) preKeys[String(id)] = Curve.generateKeyPair();
  const set: Record<string, Record<string, unknown>> = { 'pre-key': preKeys };
  for (const [type, entries] of data) set[type] = Object.fromEntries(entries);
  return set as SignalDataSet;
}
