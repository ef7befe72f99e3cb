import { SimulatorError } from '../errors.js';
import { node, nowSeconds, S_WHATSAPP_NET } from '../wire/nodes.js';
import type { BinaryNode } from '../wire/nodes.js';
import { newServerIqId, send } from './context.js';
import type { SimContext } from './context.js';
import type { CodeRequests } from './pair-code.js';

/**
 * The `link_code_companion_reg` notifications today's server sends besides the full `primary_hello`
 * (dossier item 2): an empty one when the user opens Linked Devices, `refresh_code` when the phone rotated the
 * code, and the passkey precursor. Baileys rc14 expects every one of them to carry the three key buffers.
 */

/** The platform names today's server accepts in `companion_platform_display` ("Chrome (Windows)"). */
const ACCEPTED_PLATFORMS = ['Windows', 'Mac OS', 'Linux', 'Android', 'iOS'];

export const isAcceptedPlatformDisplay = (display: string): boolean => {
  const match = /^[^()]+ \(([^()]+)\)$/.exec(display);
  return match !== null && ACCEPTED_PLATFORMS.includes(match[1] ?? '');
};

const waitingRequest = (ctx: SimContext, requests: CodeRequests, phone: string) => {
  if (ctx.legacy.has('no-pair-code-variants')) {
    throw new SimulatorError(409, 'legacy_server', 'the early-2026 server sent no pairing-code variants');
  }
  const request = requests.get(phone);
  if (!request || !request.session.conn.isOpen) {
    throw new SimulatorError(404, 'no_code_request', `no companion is waiting for a code for ${phone}`);
  }
  return request;
};

const notification = (type: string, content?: BinaryNode[]): BinaryNode =>
  node('notification', { from: S_WHATSAPP_NET, type, id: newServerIqId(), t: nowSeconds() }, content);

/** The user opened Linked Devices on the phone: an empty `link_code_companion_reg` (Baileys #2602). */
export const linkedDevicesOpened = async (
  ctx: SimContext,
  requests: CodeRequests,
  phone: string,
): Promise<void> => {
  const request = waitingRequest(ctx, requests, phone);
  await send(request.session, notification('link_code_companion_reg'));
};

/**
 * The code's TTL ran out and the phone rotated it: `stage="refresh_code"` with the current ref. The old code is
 * dead from now on; the companion must send a new companion_hello (a new code) before anything pairs.
 */
export const rotatePairingCode = async (
  ctx: SimContext,
  requests: CodeRequests,
  phone: string,
): Promise<void> => {
  const request = waitingRequest(ctx, requests, phone);
  if (request.entered) throw new SimulatorError(409, 'code_in_progress', 'a code was already entered');
  request.rotated = true;
  await send(
    request.session,
    notification('link_code_companion_reg', [
      node('link_code_companion_reg', { stage: 'refresh_code', force_manual_refresh: 'false' }, [
        node('link_code_pairing_ref', {}, request.ref),
      ]),
    ]),
  );
};

/** The account links by passkey (some accounts since mid-2026): WebAuthn options instead of a code exchange. */
export const sendPasskeyPrologue = async (
  ctx: SimContext,
  requests: CodeRequests,
  phone: string,
): Promise<void> => {
  const request = waitingRequest(ctx, requests, phone);
  const options = JSON.stringify({ challenge: 'c2ltdWxhdG9y', rpId: 'whatsapp.com', timeout: 60_000 });
  await send(
    request.session,
    notification('passkey_prologue_request', [node('passkey_request_options', {}, Buffer.from(options))]),
  );
};
