/**
 * Baileys' values as bytes and back: JSON with Baileys' `BufferJSON` (Buffers and Uint8Arrays survive), the same
 * encoding `useMultiFileAuthState` uses, so an item holds exactly what Baileys handed us.
 */
import { BufferJSON, proto } from '@whiskeysockets/baileys';

export function encodeCredentialValue(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value, BufferJSON.replacer), 'utf8');
}

/** `type` restores what JSON cannot carry: app state sync keys are protobuf objects. */
export function decodeCredentialValue(type: string, bytes: Uint8Array): unknown {
  const value: unknown = JSON.parse(Buffer.from(bytes).toString('utf8'), BufferJSON.reviver);
  if (type === 'app-state-sync-key' && typeof value === 'object' && value !== null) {
    return proto.Message.AppStateSyncKeyData.fromObject(value);
  }
  return value;
}
