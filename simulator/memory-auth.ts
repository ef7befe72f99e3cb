/**
 * Baileys auth state held in a map: what `useMultiFileAuthState` does, minus the disk. For bare Baileys sockets
 * driven against the simulator (tests, the benchmarks' baseline); the session host keeps its own on S3.
 */
import { initAuthCreds, proto } from '@whiskeysockets/baileys';
import type {
  AuthenticationCreds,
  AuthenticationState,
  SignalDataSet,
  SignalDataTypeMap,
} from '@whiskeysockets/baileys';

/** `data` is the key store's backing map (`<type>:<id>`), given when a caller needs to copy or inspect it. */
export function memoryAuthState(
  creds: AuthenticationCreds = initAuthCreds(),
  data: Map<string, unknown> = new Map(),
): AuthenticationState {
  return {
    creds,
    keys: {
      get: async <T extends keyof SignalDataTypeMap>(type: T, ids: string[]) => {
        const out: { [id: string]: SignalDataTypeMap[T] } = {};
        for (const id of ids) {
          let value = data.get(`${type}:${id}`);
          // Stored as plain objects (as after a JSON round trip); Baileys wants the protobuf class back.
          if (value !== undefined && type === 'app-state-sync-key') {
            value = proto.Message.AppStateSyncKeyData.fromObject(value as object);
          }
          if (value !== undefined) out[id] = value as SignalDataTypeMap[T];
        }
        return out;
      },
      set: async (set: SignalDataSet) => {
        for (const [type, entries] of Object.entries(set)) {
          for (const [id, value] of Object.entries(entries ?? {})) {
            if (value === null || value === undefined) data.delete(`${type}:${id}`);
            else data.set(`${type}:${id}`, value);
          }
        }
      },
    },
  };
}
