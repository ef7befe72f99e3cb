/**
 * HMACs and ciphers keyed with KeyObjects instead of raw buffers, process-wide, while a host runs.
 *
 * On Node 24 (the host image's runtime), `createHmac` / `createCipheriv` / `createDecipheriv` given a Buffer key
 * cost ~12.5 us of CPU, against ~2.8 us given a KeyObject of the same bytes, and making that KeyObject costs ~0.9 us
 * (`createHmac('sha256', buffer)` vs `createHmac('sha256', createSecretKey(buffer))`, 100,000 calls each; Node 20
 * shows no difference). Every sent message runs dozens of them with raw keys: libsignal's chain and message keys,
 * Baileys' Noise frames, the AWS SDK's SigV4 signing, our credential items' AES-GCM. A CPU profile of a warm
 * 100-session send burst put ~8 % of the host's CPU in Node's key check alone (`getKeyObjectSlots`).
 *
 * The wrapper turns a non-empty ArrayBufferView key into `createSecretKey(key)` and calls the original: the same
 * key bytes, the same output. CommonJS callers (libsignal, the AWS SDK) read `crypto.createHmac` at call time; ESM
 * importers (Baileys) see the change through `syncBuiltinESMExports`. Installed once per process however many
 * hosts run in it (tests start several), removed when the last one stops.
 */
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';

type KeyedFactory = (algorithm: string, key: unknown, ...rest: unknown[]) => unknown;
const WRAPPED = ['createHmac', 'createCipheriv', 'createDecipheriv'] as const;

let users = 0;
let originals: Record<(typeof WRAPPED)[number], KeyedFactory> | undefined;

const asKeyObject = (key: unknown): unknown =>
  ArrayBuffer.isView(key) && key.byteLength > 0 ? crypto.createSecretKey(key as NodeJS.ArrayBufferView) : key;

/** Installs the wrappers (once per process); the returned function removes this user's hold on them. */
export function useSecretKeyObjects(): () => void {
  if (users++ === 0) {
    const mutable = crypto as unknown as Record<string, KeyedFactory>;
    const saved = Object.fromEntries(WRAPPED.map((name) => [name, mutable[name]!])) as NonNullable<
      typeof originals
    >;
    originals = saved;
    for (const name of WRAPPED) {
      const original = saved[name];
      mutable[name] = (algorithm, key, ...rest) => original(algorithm, asKeyObject(key), ...rest);
    }
    syncBuiltinESMExports();
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--users > 0 || !originals) return;
    const mutable = crypto as unknown as Record<string, KeyedFactory>;
    for (const name of WRAPPED) mutable[name] = originals[name];
    originals = undefined;
    syncBuiltinESMExports();
  };
}

/** Whether the wrappers are installed now (tests). */
export function secretKeyObjectsInstalled(): boolean {
  return originals !== undefined;
}
