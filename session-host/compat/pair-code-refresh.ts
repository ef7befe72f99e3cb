/**
 * Pairing by code against today's server (Baileys #2600/#2602, #2608/#2681, #2560/#2769; dossier items 2 and 7):
 * - rc14 sends `companion_hello` with `sendNode` and makes the code locally, so a server refusal
 *   (`<iq type="error"><error code="400"/>`, e.g. for a platform display it does not accept) never reaches the
 *   caller: `requestCheckedPairingCode` waits for the server's answer before the code is shown;
 * - `stage="refresh_code"`: the phone rotated the code, the one shown is dead; rc14 ignores it (a caught Boom);
 * - an empty notification (Linked Devices opened) or a partial one: rc14 throws a caught Boom and acks only when
 *   `creds.me` is set, so this hook acks when it is not;
 * - `passkey_prologue_request`: the account links by passkey, which rc14 cannot do.
 *
 * Drop it when the pinned Baileys guards the three buffers, follows `refresh_code` and surfaces the iq error.
 */
import type { AuthenticationCreds, BinaryNode, WASocket } from '@whiskeysockets/baileys';
import type { PairRefreshLog } from './pair-refresh.js';

/** How long the server has to answer `companion_hello` (WA Web gives up on the screen after about that). */
export const PAIRING_ANSWER_WAIT_MS = 10_000;

export type CheckedPairingCode =
  | { readonly outcome: 'accepted'; readonly code: string }
  | { readonly outcome: 'rejected'; readonly detail: string };

const childOf = (n: BinaryNode | undefined, tag: string): BinaryNode | undefined =>
  Array.isArray(n?.content) ? n.content.find((c) => c.tag === tag) : undefined;

/**
 * `socket.requestPairingCode(phone)`, then the server's answer to it: the code once the iq result came (or after
 * `waitMs` without an answer), `rejected` on an iq error (before login no other iq can fail then).
 */
export async function requestCheckedPairingCode(
  socket: WASocket,
  phone: string,
  waitMs = PAIRING_ANSWER_WAIT_MS,
): Promise<CheckedPairingCode> {
  let settle: (answer: 'result' | { error: string }) => void = () => undefined;
  const answer = new Promise<'result' | { error: string }>((resolve) => (settle = resolve));
  const onResult = (): void => settle('result');
  const onError = (iq: BinaryNode): void => {
    const error = childOf(iq, 'error');
    settle({ error: `${error?.attrs.code ?? 'no code'} ${error?.attrs.text ?? ''}`.trim() });
  };
  socket.ws.on('CB:iq,type:result,link_code_companion_reg', onResult);
  socket.ws.on('CB:iq,type:error', onError);
  let timer: NodeJS.Timeout | undefined;
  try {
    const code = await socket.requestPairingCode(phone);
    const outcome = await Promise.race([
      answer,
      new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), waitMs))),
    ]);
    if (typeof outcome === 'object') {
      return { outcome: 'rejected', detail: `WhatsApp refused the code request (${outcome.error})` };
    }
    return { outcome: 'accepted', code };
  } finally {
    clearTimeout(timer);
    socket.ws.off('CB:iq,type:result,link_code_companion_reg', onResult);
    socket.ws.off('CB:iq,type:error', onError);
  }
}

export interface PairCodeNotificationDeps {
  readonly creds: AuthenticationCreds;
  /** The phone rotated the code: ask for a new one and show it. */
  readonly onRefreshCode: () => void;
  /** The account links by passkey: no code will ever work. */
  readonly onPasskeyRequired: () => void;
  readonly log: PairRefreshLog;
}

/** Follows the pairing-code notifications on `socket` for as long as it lives. */
export function handlePairCodeNotifications(socket: WASocket, deps: PairCodeNotificationDeps): void {
  const ackIfBaileysCannot = (stanza: BinaryNode): void => {
    // rc14 acks notifications itself, but its ack dereferences `creds.me.id` and throws before login without it.
    if (deps.creds.me || !stanza.attrs.id) return;
    const { id, from, type } = stanza.attrs;
    void socket
      .sendNode({
        tag: 'ack',
        attrs: { id, to: from ?? 's.whatsapp.net', class: 'notification', ...(type ? { type } : {}) },
      })
      .catch(() => undefined);
  };
  socket.ws.on('CB:notification,type:link_code_companion_reg', (stanza: BinaryNode) => {
    ackIfBaileysCannot(stanza);
    const reg = childOf(stanza, 'link_code_companion_reg');
    const stage = reg?.attrs.stage;
    if (stage === 'refresh_code') {
      deps.log.info('pairing code rotated by the phone (refresh_code)');
      deps.onRefreshCode();
      return;
    }
    const complete = [
      'link_code_pairing_ref',
      'primary_identity_pub',
      'link_code_pairing_wrapped_primary_ephemeral_pub',
    ].every((tag) => childOf(reg, tag) !== undefined);
    if (!complete) deps.log.info('partial link_code_companion_reg ignored', { stage: stage ?? 'none' });
  });
  socket.ws.on('CB:notification,type:passkey_prologue_request', (stanza: BinaryNode) => {
    ackIfBaileysCannot(stanza);
    deps.log.warn('the account asks to link by passkey, which this client cannot do');
    deps.onPasskeyRequired();
  });
}
