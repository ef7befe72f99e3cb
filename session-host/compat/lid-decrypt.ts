/**
 * Inbound after the LID migration (docs/whatsapp-compatibility.md). The fixes live in the Baileys patches
 * (patches/*+001+lid-decrypt.patch, *+002+status-ack.patch) and are off unless the socket config turns them on,
 * so stock rc14 behaves exactly as published; the host turns both on here and counts what still fails to decrypt.
 */
import {
  proto,
  type BaileysEventMap,
  type UserFacingSocketConfig,
  type WASocket,
} from '@whiskeysockets/baileys';
import type { HostLogger } from '../logger.js';
import type { HostMetrics } from '../metrics.js';

/** What the session host adds to every socket's config. */
export const INBOUND_COMPAT_SOCKET_CONFIG = {
  /** A 1:1 pkmsg/msg that fails at one address is tried once at the stanza's other (sender_pn / sender_lid). */
  decryptRetryAlternateAddress: true,
  /** An undecryptable status gets a plain ack, so the server releases the offline queue behind it. */
  ackUndecryptableStatus: true,
} as const satisfies Partial<UserFacingSocketConfig>;

/** Counter of incoming messages Baileys could not decrypt (CIPHERTEXT stubs); see docs/session-host.md. */
export const UNDECRYPTABLE_METRIC = 'UndecryptableMessages';

const CIPHERTEXT = proto.WebMessageInfo.StubType.CIPHERTEXT;

/**
 * Counts and logs the CIPHERTEXT stubs one socket emits: what is still lost after the patches (a sender whose
 * session we hold under neither address, or a real Bad MAC). Logs the message id, the chat and Baileys' reason,
 * never key material. Returns the number seen so far on this socket, for tests.
 */
export function watchUndecryptable(
  socket: WASocket,
  deps: { metrics: Pick<HostMetrics, 'count'>; log: Pick<HostLogger, 'warn'> },
): { count: () => number } {
  let seen = 0;
  const onUpsert = ({ messages }: BaileysEventMap['messages.upsert']): void => {
    for (const m of messages) {
      if (m.key.fromMe || m.messageStubType !== CIPHERTEXT) continue;
      seen += 1;
      deps.metrics.count(UNDECRYPTABLE_METRIC);
      deps.log.warn('incoming message not decryptable', {
        waMessageId: m.key.id ?? undefined,
        chat: m.key.remoteJid ?? undefined,
        reason: m.messageStubParameters?.[0],
        undecryptableOnSocket: seen,
      });
    }
  };
  socket.ev.on('messages.upsert', onUpsert);
  return { count: () => seen };
}
