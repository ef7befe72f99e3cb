/**
 * What the host's logs must never carry: key material (Signal, Noise, ADV, media keys), tokens and the
 * platform's own secrets. Baileys hands its logger whole objects (nodes, creds updates, errors with context);
 * rather than trusting every call site, every log line's fields pass through `redactLogFields` on their way out.
 */

/** Field names whose values are secrets whatever they hold (compared case-insensitively, without `_`/`-`). */
const SECRET_FIELD_NAMES = [
  'privkey',
  'privatekey',
  'private',
  'rootkey',
  'chainkey',
  'basekey',
  'ephemeralkeypair',
  'noisekey',
  'signedidentitykey',
  'signedprekey',
  'identitykey',
  'pairingephemeralkeypair',
  'advsecretkey',
  'advsecret',
  'mediakey',
  'appstatesynckey',
  'keydata',
  'messagekeys',
  'senderkey',
  'token',
  'tctoken',
  'accesstoken',
  'authorization',
  'secret',
  'apikey',
  'password',
  'mackey',
  'cipherkey',
  'enc_p',
  'pairingcode',
];

/** Strings that are secrets by their shape: the platform's webhook secrets and API keys. */
const SECRET_STRING = /\b(?:whsec_|wak_)[A-Za-z0-9+/=_-]{8,}/g;

export const REDACTED = '[redacted]';

const MAX_DEPTH = 8;

const normalise = (name: string): string => name.toLowerCase().replace(/[_-]/g, '');
const SECRET_NAMES = new Set(SECRET_FIELD_NAMES.map(normalise));

export function isSecretFieldName(name: string): boolean {
  return SECRET_NAMES.has(normalise(name));
}

/** A copy of `value` with secret fields replaced and secret-shaped strings masked; cycles and depth bounded. */
export function redactLogFields<T>(value: T): T {
  return redact(value, 0, new WeakSet()) as T;
}

function redact(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return value.replace(SECRET_STRING, (m) => `${m.slice(0, 5)}${REDACTED}`);
  if (value === null || typeof value !== 'object') return value;
  // Raw bytes in a log line are almost always key material or ciphertext: never worth printing.
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return REDACTED;
  if (value instanceof Error) return value; // pino's error serializer keeps name, message and stack only
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[deep]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    out[key] = isSecretFieldName(key) ? REDACTED : redact(field, depth + 1, seen);
  }
  return out;
}
