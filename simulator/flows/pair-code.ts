import { randomBytes } from 'node:crypto';
import {
  aesDecryptCTR,
  aesDecryptGCM,
  aesEncryptCTR,
  Curve,
  derivePairingCodeKey,
  hkdf,
  jidDecode,
} from '@whiskeysockets/baileys';
import type { KeyPair } from '@whiskeysockets/baileys';
import { SimulatorError } from '../errors.js';
import { childBuffer, childOf, iqError, iqResult, node, nowSeconds, S_WHATSAPP_NET } from '../wire/nodes.js';
import type { BinaryNode } from '../wire/nodes.js';
import type { Account, LinkedDevice } from '../world/types.js';
import { newServerIqId, send } from './context.js';
import type { Session, SimContext } from './context.js';
import { forgetRegistration, sendPairSuccess } from './pair.js';
import { isAcceptedPlatformDisplay } from './pair-code-variants.js';

/** A companion_hello waiting for the user to type the code on the phone. */
interface CodeRequest {
  session: Session;
  phone: string;
  ref: Buffer;
  wrappedCompanionEphemeral: Buffer;
  /** The phone rotated this code (`refresh_code`): it is dead until the companion asks for a new one. */
  rotated?: boolean;
  /** Set once the phone has entered a code. */
  entered?: {
    account: Account;
    primaryEphemeral: KeyPair;
    companionEphemeral: Buffer;
    settle: (result: LinkedDevice | Error) => void;
  };
}

/** Pending requests by phone number: the user types the code on that number's phone. */
export type CodeRequests = Map<string, CodeRequest>;

/** The code wraps an ephemeral key as salt(32) | iv(16) | AES-CTR(key) with a PBKDF2 key derived from the code. */
const unwrapWithCode = async (code: string, wrapped: Buffer): Promise<Buffer> => {
  const key = await derivePairingCodeKey(code, wrapped.subarray(0, 32));
  return aesDecryptCTR(wrapped.subarray(48, 80), key, wrapped.subarray(32, 48));
};

const wrapWithCode = async (code: string, publicKey: Uint8Array): Promise<Buffer> => {
  const salt = randomBytes(32);
  const iv = randomBytes(16);
  const key = await derivePairingCodeKey(code, salt);
  return Buffer.concat([salt, iv, aesEncryptCTR(publicKey, key, iv)]);
};

const waitForRequest = (
  ctx: SimContext,
  requests: CodeRequests,
  phone: string,
  ms: number,
): Promise<CodeRequest | undefined> =>
  new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      ctx.events.off('pairing-code-requested', listener);
      resolve(requests.get(phone));
    };
    const listener = (e: { phone: string }): void => {
      if (e.phone === phone) done();
    };
    const timer = setTimeout(done, ms);
    ctx.events.on('pairing-code-requested', listener);
  });

/** iq md link_code_companion_reg: stage companion_hello (a code is being shown) or companion_finish. */
export const onLinkCodeIq = async (
  ctx: SimContext,
  requests: CodeRequests,
  session: Session,
  iq: BinaryNode,
): Promise<void> => {
  const reg = childOf(iq, 'link_code_companion_reg');
  if (reg?.attrs.stage === 'companion_hello') {
    const phone = jidDecode(reg.attrs.jid)?.user;
    const wrapped = childBuffer(reg, 'link_code_pairing_wrapped_companion_ephemeral_pub');
    if (!phone || !wrapped || wrapped.length < 80 || !session.registration) {
      await send(session, iqError(iq, 400, 'bad-request'));
      return;
    }
    // Today's server refuses a display it does not know, and says so only in this iq error (Baileys #2769).
    const display = childBuffer(reg, 'companion_platform_display')?.toString('utf8') ?? '';
    const refused = ctx.faults.takePairingCodeRefusal(phone);
    if (refused || (!ctx.legacy.has('no-pair-code-variants') && !isAcceptedPlatformDisplay(display))) {
      ctx.log('pairing code refused', { display, byFault: refused });
      await send(session, iqError(iq, 400, 'bad-request'));
      return;
    }
    const ref = Buffer.from(randomBytes(16).toString('base64url'));
    requests.set(phone, { session, phone, ref, wrappedCompanionEphemeral: wrapped });
    ctx.events.emit('pairing-code-requested', { phone, connectionId: session.conn.id });
    await send(
      session,
      iqResult(iq, [node('link_code_companion_reg', {}, [node('link_code_pairing_ref', {}, ref)])]),
    );
    return;
  }
  if (reg?.attrs.stage === 'companion_finish') {
    await onCompanionFinish(ctx, requests, session, iq, reg);
    return;
  }
  await send(session, iqError(iq, 400, 'bad-request'));
};

/**
 * The user types `code` on the phone of `account`. Resolves once the companion has proven it holds the same code
 * (its key bundle decrypts) and pair-success has been sent; rejects on a wrong code.
 */
export const enterPairingCode = async (
  ctx: SimContext,
  requests: CodeRequests,
  account: Account,
  code: string,
  timeoutMs = 15_000,
): Promise<LinkedDevice> => {
  // requestPairingCode() resolves once its stanza is written, so the code can be typed before we have read it.
  const request = requests.get(account.phone) ?? (await waitForRequest(ctx, requests, account.phone, 5000));
  if (!request || !request.session.conn.isOpen) {
    throw new SimulatorError(
      404,
      'no_code_request',
      `no companion is waiting for a code for ${account.phone}`,
    );
  }
  if (request.rotated) {
    throw new SimulatorError(
      410,
      'code_rotated',
      'the phone rotated this code; the companion must ask again',
    );
  }
  if (request.entered) throw new SimulatorError(409, 'code_in_progress', 'a code was already entered');
  const normalizedCode = code.replace(/[-\s]/g, '').toUpperCase();
  const companionEphemeral = await unwrapWithCode(normalizedCode, request.wrappedCompanionEphemeral);
  const primaryEphemeral = Curve.generateKeyPair();
  const result = new Promise<LinkedDevice>((resolve, reject) => {
    const timer = setTimeout(
      () => settle(new SimulatorError(504, 'code_timeout', 'companion never finished')),
      timeoutMs,
    );
    const settle = (r: LinkedDevice | Error): void => {
      clearTimeout(timer);
      if (r instanceof Error) reject(r);
      else resolve(r);
    };
    request.entered = { account, primaryEphemeral, companionEphemeral, settle };
  });
  await send(
    request.session,
    node(
      'notification',
      { from: S_WHATSAPP_NET, type: 'link_code_companion_reg', id: newServerIqId(), t: nowSeconds() },
      [
        node(
          'link_code_companion_reg',
          ctx.legacy.has('no-pair-code-variants') ? {} : { stage: 'primary_hello' },
          [
            node('link_code_pairing_ref', {}, request.ref),
            node('primary_identity_pub', {}, Buffer.from(account.advIdentity.public)),
            node(
              'link_code_pairing_wrapped_primary_ephemeral_pub',
              {},
              await wrapWithCode(normalizedCode, primaryEphemeral.public),
            ),
          ],
        ),
      ],
    ),
  );
  return result;
};

const onCompanionFinish = async (
  ctx: SimContext,
  requests: CodeRequests,
  session: Session,
  iq: BinaryNode,
  reg: BinaryNode,
): Promise<void> => {
  const phone = jidDecode(reg.attrs.jid)?.user ?? '';
  const request = requests.get(phone);
  const entered = request?.entered;
  const bundle = childBuffer(reg, 'link_code_pairing_wrapped_key_bundle');
  const companionIdentity = childBuffer(reg, 'companion_identity_public');
  if (!request || !entered || request.session !== session || !bundle || !companionIdentity) {
    await send(session, iqError(iq, 404, 'item-not-found'));
    return;
  }
  requests.delete(phone);
  const companionShared = Curve.sharedKey(entered.primaryEphemeral.private, entered.companionEphemeral);
  const bundleKey = Buffer.from(
    hkdf(companionShared, 32, {
      salt: bundle.subarray(0, 32),
      info: 'link_code_pairing_key_bundle_encryption_key',
    }),
  );
  let plaintext: Buffer;
  try {
    plaintext = aesDecryptGCM(bundle.subarray(44), bundleKey, bundle.subarray(32, 44), Buffer.alloc(0));
  } catch {
    // Different codes on the two sides give different shared keys, so the bundle does not authenticate.
    await send(session, iqError(iq, 401, 'not-authorized'));
    entered.settle(
      new SimulatorError(422, 'wrong_code', 'the code does not match the one the companion shows'),
    );
    return;
  }
  const random = plaintext.subarray(64, 96);
  const identityShared = Curve.sharedKey(entered.account.advIdentity.private, companionIdentity);
  const advSecret = Buffer.from(
    hkdf(Buffer.concat([companionShared, identityShared, random]), 32, { info: 'adv_secret' }),
  );
  await send(session, iqResult(iq));
  forgetRegistration(ctx, session);
  try {
    entered.settle(await sendPairSuccess(ctx, session, entered.account, advSecret, 'code'));
  } catch (err) {
    entered.settle(err instanceof Error ? err : new Error(String(err)));
  }
};
