/**
 * `companion_reg_refresh` (WhatsApp since 2026-07-28; Baileys #2737, PR #2765, #2749): right after the phone scans
 * the QR, the server asks the companion to retire its adv secret instead of sending pair-success. The companion
 * acks, draws the SAME ref with a new secret and the user scans again; pair-success is then HMAC'd with the new
 * secret. rc14 has no handler, and its own ack throws before login (`creds.me.id`), so this hook does both.
 *
 * Drop it when the pinned Baileys handles `companion_reg_refresh` itself (PR #2765 and #2749 merged).
 */
import { randomBytes } from 'node:crypto';
import type { AuthenticationCreds, BinaryNode, WASocket } from '@whiskeysockets/baileys';

const REFRESH_CHILDREN = ['companion_reg_refresh', 'pair-device-rotate-qr'];

export interface PairRefreshLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface PairRefreshDeps {
  /** The live creds object the socket was made with (Baileys verifies pair-success against it). */
  readonly creds: AuthenticationCreds;
  /** Stores the rotated secret durably (the session's auth store). */
  readonly persist: (update: Partial<AuthenticationCreds>) => void;
  /** The secret changed: draw the current QR again (it now carries `creds.advSecretKey`). */
  readonly onRotated: () => void;
  readonly log: PairRefreshLog;
}

/** The QR string with its adv secret (4th comma field) replaced: rc14 keeps drawing the one it started with. */
export function withAdvSecret(qr: string, advSecret: string): string {
  const hash = qr.lastIndexOf('#');
  const prefix = hash >= 0 ? qr.slice(0, hash + 1) : '';
  const fields = qr.slice(prefix.length).split(',');
  if (fields.length < 4) return qr;
  fields[3] = advSecret;
  return prefix + fields.join(',');
}

const childTags = (n: BinaryNode): string[] => (Array.isArray(n.content) ? n.content.map((c) => c.tag) : []);

/** Follows the refresh on `socket` for as long as it lives (the listener goes with its WebSocket). */
export function handleCompanionRegRefresh(socket: WASocket, deps: PairRefreshDeps): void {
  socket.ws.on('CB:notification,type:companion_reg_refresh', (stanza: BinaryNode) => {
    void onRefresh(socket, deps, stanza).catch((error: unknown) =>
      deps.log.warn('companion_reg_refresh not handled', {
        error: error instanceof Error ? error.message : String(error),
      }),
    );
  });
}

async function onRefresh(socket: WASocket, deps: PairRefreshDeps, stanza: BinaryNode): Promise<void> {
  const { id, from } = stanza.attrs;
  // Acked whatever it holds, so the server never re-sends it; only a well-formed one rotates anything.
  if (id) {
    await socket.sendNode({
      tag: 'ack',
      attrs: { id, to: from ?? 's.whatsapp.net', class: 'notification', type: 'companion_reg_refresh' },
    });
  }
  // A pairing code request sets `me`; in that flow the secret comes from companion_finish and must stay.
  if (deps.creds.me) {
    deps.log.info('companion_reg_refresh ignored: pairing by code or already linked');
    return;
  }
  const children = childTags(stanza);
  if (!children.some((tag) => REFRESH_CHILDREN.includes(tag))) {
    deps.log.warn('companion_reg_refresh without a known child ignored', { children });
    return;
  }
  const advSecretKey = randomBytes(32).toString('base64');
  // In place: rc14's pair-success handler reads `creds.advSecretKey` from this object when it verifies.
  deps.creds.advSecretKey = advSecretKey;
  deps.persist({ advSecretKey });
  deps.log.info('adv secret rotated on companion_reg_refresh; QR re-drawn');
  deps.onRotated();
}
