import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { SimulatorError } from '../errors.js';
import { faultSchema } from '../faults.js';
import { mediaRetryReplySchema } from '../flows/media-retry.js';
import { decryptFailureSchema, retryReceiptSchema } from '../flows/retry-receipts.js';
import type { WhatsAppSimulator } from '../simulator.js';
import { CONTACT_ACTION_ROUTES } from './contact-action-routes.js';
import { PHONE_CHAT_ROUTES } from './phone-chat-routes.js';
import { GROUP_ROUTES } from './group-routes.js';
import {
  accountBody,
  addressingBody,
  behaviourBody,
  contactBody,
  contactReactBody,
  contactSendBody,
  contactSendMediaBody,
  MAX_MEDIA_BYTES,
  pairBody,
  pairingCodeBody,
  pairingPhoneBody,
  qrRefreshBody,
  provisionBody,
  receiptBody,
  unlinkBody,
  timelockBody,
  trustTokenBody,
  messageCappingBody,
  contactDeviceSendBody,
  lidDisclosureBody,
  undecryptableStatusBody,
  contactPresenceBody,
  contactChatStateBody,
  contactProfileBody,
  contactCallBody,
} from './schemas.js';

const MAX_BODY = 1 << 20;

/** JSON, or raw bytes (`file`) with their content type (the media host). */
type Reply = { status: number; body: unknown } | { status: number; file: Buffer; contentType: string };
type Route = {
  method: 'GET' | 'POST' | 'DELETE';
  pattern: RegExp;
  run: (sim: WhatsAppSimulator, params: string[], body: unknown) => Promise<Reply> | Reply;
  /** Request body limit, MAX_BODY unless the route carries files. */
  maxBody?: number;
};

const ok = (body: unknown, status = 200): Reply => ({ status, body });
const b64 = (s: string): Buffer => Buffer.from(s, 'base64');
const param = (params: string[], i: number): string => decodeURIComponent(params[i] ?? '');

const PHONE = '(\\+?\\d{6,15})';

const routes: Route[] = [
  ...CONTACT_ACTION_ROUTES,
  ...PHONE_CHAT_ROUTES,
  ...GROUP_ROUTES,
  {
    method: 'GET',
    pattern: /^\/$/,
    run: (sim) =>
      ok({
        wsUrl: sim.wsUrl,
        controlUrl: sim.controlUrl,
        rootPublicKey: sim.rootPublicKey,
        mediaHost: sim.mediaHost,
        mediaCaPem: sim.mediaCaPem,
        connections: sim.connectionCount,
      }),
  },
  {
    method: 'POST',
    pattern: /^\/accounts$/,
    run: (sim, _p, body) => {
      const { phone, name } = accountBody.parse(body);
      return ok(sim.addAccount(phone, name), 201);
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/accounts/${PHONE}$`),
    run: (sim, p) => {
      const account = sim.getAccount(param(p, 0));
      if (!account) throw new SimulatorError(404, 'unknown_account', `no account ${param(p, 0)}`);
      return ok(account);
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/accounts/${PHONE}/unlink$`),
    run: async (sim, p, body) => {
      const { deviceId } = unlinkBody.parse(body ?? {});
      return ok({ unlinked: await sim.unlink(param(p, 0), deviceId) });
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/accounts/${PHONE}/devices$`),
    run: (sim, p, body) => {
      const b = provisionBody.parse(body);
      const result = sim.provisionDevice(param(p, 0), {
        noiseKey: b64(b.noiseKey),
        identityKey: b64(b.identityKey),
        registrationId: b.registrationId,
        signedPreKey: {
          keyId: b.signedPreKey.keyId,
          publicKey: b64(b.signedPreKey.publicKey),
          signature: b64(b.signedPreKey.signature),
        },
        advSecret: b64(b.advSecret),
        ...(b.skipPreKeyUpload !== undefined ? { skipPreKeyUpload: b.skipPreKeyUpload } : {}),
      });
      return ok({ ...result, deviceIdentity: result.deviceIdentity.toString('base64') }, 201);
    },
  },
  {
    method: 'POST',
    pattern: /^\/contacts$/,
    run: (sim, _p, body) => {
      const { phone, name } = contactBody.parse(body);
      return ok(sim.addContact(phone, name), 201);
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/contacts/${PHONE}$`),
    run: (sim, p) => {
      const contact = sim.getContact(param(p, 0));
      if (!contact) throw new SimulatorError(404, 'unknown_contact', `no contact ${param(p, 0)}`);
      return ok(contact);
    },
  },
  {
    method: 'POST',
    pattern: /^\/pair$/,
    run: async (sim, _p, body) => {
      const { qr, phone } = pairBody.parse(body);
      const result = await sim.scanQr(qr, phone);
      // 202: today's server sent companion_reg_refresh first; the companion re-draws the QR to be scanned again.
      return ok(result, result.outcome === 'refreshed' ? 202 : 200);
    },
  },
  {
    method: 'POST',
    pattern: /^\/pairing-code$/,
    run: async (sim, _p, body) => {
      const { phone, code } = pairingCodeBody.parse(body);
      return ok(await sim.enterPairingCode(phone, code));
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/contacts/${PHONE}/send$`),
    run: async (sim, p, body) => {
      const { to, text, replyTo } = contactSendBody.parse(body);
      return ok(await sim.contactSend(param(p, 0), to, text, replyTo), 201);
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/contacts/${PHONE}/send-media$`),
    // base64 of the largest file, plus the other fields
    maxBody: Math.ceil(MAX_MEDIA_BYTES / 3) * 4 + 128 * 1024,
    run: async (sim, p, body) => {
      const { to, kind, data, mimetype, caption, fileName, ptt } = contactSendMediaBody.parse(body);
      const entry = await sim.contactSendMedia(param(p, 0), to, {
        kind,
        bytes: b64(data),
        mimetype,
        ...(caption !== undefined ? { caption } : {}),
        ...(fileName !== undefined ? { fileName } : {}),
        ...(ptt !== undefined ? { ptt } : {}),
      });
      return ok(entry, 201);
    },
  },
  {
    method: 'GET',
    pattern: /^\/media\/([0-9a-f]{1,64})$/,
    run: (sim, p) => ({
      status: 200,
      file: sim.mediaFile(param(p, 0)),
      contentType: 'application/octet-stream',
    }),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/contacts/${PHONE}/react$`),
    run: async (sim, p, body) => {
      const { to, messageId, emoji } = contactReactBody.parse(body);
      return ok(await sim.contactReact(param(p, 0), to, messageId, emoji), 201);
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/contacts/${PHONE}/inbox$`),
    run: (sim, p) => ok(sim.inbox(param(p, 0))),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/contacts/${PHONE}/inbox/([A-Za-z0-9._-]{1,128})/media$`),
    run: (sim, p) => {
      const phone = param(p, 0);
      const id = param(p, 1);
      const entry = sim.inbox(phone).find((e) => e.id === id);
      return {
        status: 200,
        file: sim.contactMedia(phone, id),
        contentType: entry?.media?.mimetype || 'application/octet-stream',
      };
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/contacts/${PHONE}/outbox$`),
    run: (sim, p) => ok(sim.outbox(param(p, 0))),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/contacts/${PHONE}/receipts$`),
    run: (sim, p, body) => {
      const { messageId, type } = receiptBody.parse(body);
      return ok(sim.sendReceipt(param(p, 0), messageId, type));
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/contacts/${PHONE}/addressing$`),
    run: (sim, p, body) => ok(sim.setContactAddressing(param(p, 0), addressingBody.parse(body).mode)),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/accounts/${PHONE}/timelock$`),
    run: (sim, p) => ok(sim.getReachoutTimelock(param(p, 0))),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/accounts/${PHONE}/timelock$`),
    run: (sim, p, body) => {
      const { active, until, enforcementType } = timelockBody.parse(body);
      return ok(
        sim.setReachoutTimelock(param(p, 0), {
          active,
          ...(until !== undefined ? { until } : {}),
          ...(enforcementType !== undefined ? { enforcementType } : {}),
        }),
      );
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/accounts/${PHONE}/trust-tokens$`),
    run: (sim, p, body) => {
      const { contact, trusted } = trustTokenBody.parse(body);
      sim.setTrustToken(param(p, 0), contact, trusted);
      return ok({ contact, trusted });
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/accounts/${PHONE}/message-capping$`),
    run: (sim, p, body) =>
      ok({ notified: sim.pushMessageCapping(param(p, 0), messageCappingBody.parse(body)) }),
  },
  {
    method: 'POST',
    pattern: /^\/faults$/,
    run: (sim, _p, body) => ok(sim.injectFault(faultSchema.parse(body)), 201),
  },
  { method: 'GET', pattern: /^\/faults$/, run: (sim) => ok(sim.listFaults()) },
  {
    method: 'DELETE',
    pattern: /^\/faults$/,
    run: (sim) => {
      sim.clearFaults();
      return ok({ cleared: true });
    },
  },
  {
    method: 'POST',
    pattern: /^\/behaviour\/qr-refresh$/,
    run: (sim, _p, body) => {
      const { child } = qrRefreshBody.parse(body);
      sim.setQrRefreshChild(child);
      return ok({ child });
    },
  },
  {
    method: 'POST',
    pattern: /^\/pairing-code\/(linked-devices|rotate|passkey)$/,
    run: async (sim, p, body) => {
      const { phone } = pairingPhoneBody.parse(body);
      const variant = param(p, 0);
      if (variant === 'rotate') await sim.rotatePairingCode(phone);
      else if (variant === 'passkey') await sim.requestPasskey(phone);
      else await sim.openLinkedDevices(phone);
      return ok({ sent: variant });
    },
  },
  {
    method: 'POST',
    pattern: /^\/media\/([0-9a-f]{1,64})\/expire$/,
    run: (sim, p) => {
      sim.expireMedia(param(p, 0));
      return ok({ id: param(p, 0), expired: true });
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/accounts/${PHONE}/media-retry$`),
    run: (sim, p, body) => ok(sim.setMediaRetryReply(param(p, 0), mediaRetryReplySchema.parse(body))),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/accounts/${PHONE}/stream-ack$`),
    run: async (sim, p, body) => {
      const { deviceId } = unlinkBody.parse(body ?? {});
      return ok({ ended: await sim.streamErrorAck(param(p, 0), deviceId) });
    },
  },
  { method: 'GET', pattern: /^\/behaviour$/, run: (sim) => ok({ legacy: sim.legacy }) },
  {
    method: 'POST',
    pattern: new RegExp(`^/contacts/${PHONE}/lid-disclosure$`),
    run: (sim, p, body) =>
      ok(sim.setContactLidDisclosed(param(p, 0), lidDisclosureBody.parse(body).disclosed)),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/contacts/${PHONE}/presence$`),
    run: (sim, p, body) =>
      ok({ told: sim.contactPresence(param(p, 0), contactPresenceBody.parse(body).presence) }),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/contacts/${PHONE}/chatstate$`),
    run: (sim, p, body) => {
      const { to, state } = contactChatStateBody.parse(body);
      return ok({ told: sim.contactChatState(param(p, 0), to, state) });
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/contacts/${PHONE}/chatstates$`),
    run: (sim, p) => ok({ items: sim.chatStatesSeen(param(p, 0)) }),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/contacts/${PHONE}/profile$`),
    run: (sim, p, body) => {
      const { about, picture, business } = contactProfileBody.parse(body);
      return ok(
        sim.setContactProfile(param(p, 0), {
          ...(about !== undefined ? { about } : {}),
          ...(picture !== undefined ? { picture } : {}),
          ...(business !== undefined ? { business } : {}),
        }),
      );
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/contacts/${PHONE}/call$`),
    run: (sim, p, body) => {
      const { to, video, group } = contactCallBody.parse(body);
      return ok(
        sim.contactCall(param(p, 0), to, {
          ...(video !== undefined ? { video } : {}),
          ...(group !== undefined ? { group } : {}),
        }),
        201,
      );
    },
  },
  {
    method: 'GET',
    pattern: /^\/calls\/([0-9A-F]{32})$/,
    run: (sim, p) => {
      const call = sim.getCall(param(p, 0));
      if (!call) throw new SimulatorError(404, 'unknown_call', `no call ${param(p, 0)}`);
      return ok(call);
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/accounts/${PHONE}/blocklist$`),
    run: (sim, p) => ok({ blocked: sim.blockedBy(param(p, 0)) }),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/accounts/${PHONE}/presence$`),
    run: (sim, p) => ok(sim.accountPresence(param(p, 0))),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/contacts/${PHONE}/devices$`),
    run: (sim, p) => ok({ deviceId: sim.addContactDevice(param(p, 0)) }, 201),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/contacts/${PHONE}/devices/(\\d{1,2})/send$`),
    run: async (sim, p, body) => {
      const { to, text } = contactDeviceSendBody.parse(body);
      return ok(await sim.contactSendFromDevice(param(p, 0), Number(param(p, 1)), to, text), 201);
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/accounts/${PHONE}/offline-queue/undecryptable-status$`),
    run: (sim, p, body) => {
      const { from } = undecryptableStatusBody.parse(body);
      return ok({ messageId: sim.queueUndecryptableStatus(param(p, 0), from) }, 201);
    },
  },
  {
    method: 'POST',
    pattern: /^\/behaviour$/,
    run: (sim, _p, body) => ok({ legacy: sim.setLegacy(behaviourBody.parse(body).legacy) }),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/contacts/${PHONE}/fail-decrypt$`),
    run: (sim, p, body) => ok(sim.failDecryption(param(p, 0), decryptFailureSchema.parse(body)), 201),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/contacts/${PHONE}/retry-receipts$`),
    run: (sim, p, body) => ok(sim.sendRetryReceipt(param(p, 0), retryReceiptSchema.parse(body)), 201),
  },
];

const readJson = async (req: IncomingMessage, maxBody: number): Promise<unknown> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > maxBody) throw new SimulatorError(413, 'body_too_large', `body over ${maxBody} bytes`);
    chunks.push(buf);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new SimulatorError(400, 'invalid_json', 'body is not valid JSON');
  }
};

const toReply = (err: unknown): Reply => {
  if (err instanceof SimulatorError)
    return { status: err.status, body: { error: err.code, detail: err.message } };
  if (err instanceof z.ZodError) {
    const detail = err.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
    return { status: 400, body: { error: 'invalid_body', detail } };
  }
  if (err instanceof Error && err.message.startsWith('not a phone number')) {
    return { status: 400, body: { error: 'invalid_phone', detail: err.message } };
  }
  return {
    status: 500,
    body: { error: 'internal', detail: err instanceof Error ? err.message : String(err) },
  };
};

/** The JSON control API: every body is validated; anything unknown or malformed gets a 4xx `{error, detail}`. */
export const createControlHandler =
  (sim: WhatsAppSimulator) =>
  (req: IncomingMessage, res: ServerResponse): void => {
    const path = new URL(req.url ?? '/', 'http://sim').pathname;
    const candidates = routes.filter((r) => r.pattern.test(path));
    const route = candidates.find((r) => r.method === req.method);
    const respond = (reply: Reply): void => {
      if ('file' in reply) {
        res
          .writeHead(reply.status, { 'content-type': reply.contentType, 'content-length': reply.file.length })
          .end(reply.file);
        return;
      }
      res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body));
    };
    if (!route) {
      respond(
        candidates.length
          ? { status: 405, body: { error: 'method_not_allowed', detail: `${req.method} ${path}` } }
          : { status: 404, body: { error: 'not_found', detail: `no route ${req.method} ${path}` } },
      );
      return;
    }
    const params = route.pattern.exec(path)?.slice(1) ?? [];
    readJson(req, route.maxBody ?? MAX_BODY)
      .then((body) => route.run(sim, params, body))
      .then(respond, (err: unknown) => respond(toReply(err)));
  };
