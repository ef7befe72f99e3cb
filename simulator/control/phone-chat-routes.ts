/**
 * Control routes for the account's phone as an app-state client (docs/simulator.md, "App state: chat flags"):
 * `POST /accounts/{phone}/chats/{chat}/modify` makes the phone archive, pin, mute or mark a chat (a real,
 * MAC'd patch; `badMac` tampers with it), `GET /accounts/{phone}/chats` reads the phone's view of every chat.
 */
import { z } from 'zod';
import type { WhatsAppSimulator } from '../simulator.js';

export const phoneChatModifyBody = z
  .object({
    change: z.discriminatedUnion('action', [
      z.object({ action: z.literal('archive'), archived: z.boolean() }).strict(),
      z.object({ action: z.literal('pin'), pinned: z.boolean() }).strict(),
      z.object({ action: z.literal('mute'), until: z.number().int().min(-1).nullable() }).strict(),
      z.object({ action: z.literal('markRead'), read: z.boolean() }).strict(),
    ]),
    badMac: z.boolean().optional(),
  })
  .strict();

interface PhoneChatRoute {
  method: 'GET' | 'POST';
  pattern: RegExp;
  run: (
    sim: WhatsAppSimulator,
    params: string[],
    body: unknown,
  ) => Promise<{ status: number; body: unknown }>;
}

const PHONE = '(\\+?\\d{6,15})';
const param = (params: string[], i: number): string => decodeURIComponent(params[i] ?? '');

export const PHONE_CHAT_ROUTES: readonly PhoneChatRoute[] = [
  {
    method: 'POST',
    pattern: new RegExp(`^/accounts/${PHONE}/chats/([^/]+)/modify$`),
    run: async (sim, p, body) => {
      const { change, badMac } = phoneChatModifyBody.parse(body);
      const done = await sim.phoneChats.modify(param(p, 0), param(p, 1), change, { badMac: badMac ?? false });
      return { status: 201, body: done };
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/accounts/${PHONE}/chats$`),
    run: async (sim, p) => ({ status: 200, body: { chats: await sim.phoneChats.flags(param(p, 0)) } }),
  },
];
