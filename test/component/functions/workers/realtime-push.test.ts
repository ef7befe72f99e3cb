/**
 * Realtime rooms on the local cloud, from the bus to the browser: real tickets from the API, real WebSockets
 * through the local gateway and `$connect`, real domain events put on the local EventBridge, routed by the
 * `realtime-push` rule to its queue and worker, which posts them over `@connections`. The per-tenant cap is set
 * low (3) for this file.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../../local/local-aws.js';
import { EventBridgeEventBus } from '../../../../shared/adapters/aws/eventbridge-event-bus.js';
import { DynamoWsConnectionRepository } from '../../../../shared/adapters/dynamodb/ws-connection-repository.js';
import { loadAppConfig } from '../../../../shared/config/app-config.js';
import { parseWsServerFrame, type WsAnyServerFrame } from '../../../../shared/contracts/ws-frames.js';
import { EVENT_RULES } from '../../../../shared/definitions/event-rules.js';
import { QUEUES } from '../../../../shared/definitions/queues.js';
import { makeEvent, type DomainEvent } from '../../../../shared/domain/events.js';
import { newId, nowIso } from '../../../../shared/domain/ids.js';
import { WS_TICKET_PATTERN } from '../../../../shared/ports/ws-ticket-store.js';
import type { ApiClient } from '../../../support/api-client.js';
import { eventually } from '../../../support/api-client.js';
import { startEventsStack, type EventsStack } from '../../../support/events-stack.js';

const CAP = 3;

interface TicketBody {
  ticket: string;
  expiresAt: string;
  url: string;
}

/** An open socket and every frame it received, parsed with the browser's contract. */
interface Room {
  readonly ws: WebSocket;
  readonly frames: WsAnyServerFrame[];
}

function attempt(url: string): Promise<Room | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    const frames: WsAnyServerFrame[] = [];
    ws.on('message', (data: Buffer) => frames.push(parseWsServerFrame(JSON.parse(data.toString('utf8')))));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('open', () => resolve({ ws, frames }));
    ws.once('error', () => undefined);
  });
}

async function open(url: string): Promise<Room> {
  const result = await attempt(url);
  if (typeof result === 'number') throw new Error(`refused with ${result}`);
  return result;
}

const ids = (room: Room) => room.frames.map((f) => ('id' in f ? f.id : f.type));

describe('realtime rooms', () => {
  let stack: EventsStack;
  let eventBridge: EventBridgeClient;
  let bus: EventBridgeEventBus;
  let connections: DynamoWsConnectionRepository;
  const rooms: Room[] = [];

  beforeAll(async () => {
    stack = await startEventsStack({
      queues: [QUEUES.realtimePush],
      rules: EVENT_RULES.filter((rule) => rule.targetQueue === 'realtimePush'),
      env: { APP_WS_MAX_CONNECTIONS_PER_TENANT: String(CAP) },
    });
    eventBridge = new EventBridgeClient({
      endpoint: stack.cloud.stack.eventbridge,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    bus = new EventBridgeEventBus({ client: eventBridge, busName: stack.cloud.stack.eventBusName });
    connections = new DynamoWsConnectionRepository({ dynamo: stack.clients.dynamo, config: loadAppConfig() });
  });
  afterAll(async () => {
    for (const { ws } of rooms) ws.close();
    eventBridge?.destroy();
    await stack?.stop();
  });

  const ticket = async (api: ApiClient, sessionId?: string): Promise<TicketBody> => {
    const path = sessionId === undefined ? '/v1/ws-tickets' : `/v1/sessions/${sessionId}/ws-tickets`;
    const issued = await api.post<TicketBody>(path);
    expect(issued.status).toBe(201);
    return issued.body;
  };
  const room = async (api: ApiClient, sessionId?: string): Promise<Room> => {
    const opened = await open((await ticket(api, sessionId)).url);
    rooms.push(opened);
    return opened;
  };
  const framesOf = (r: Room, count: number, what: string) =>
    eventually(what, async () => (r.frames.length >= count ? r.frames : undefined), 10_000, 20);

  it("a tenant-wide socket gets every session's events, a session socket its session's, another tenant's none", async () => {
    const a = await stack.tenant(['sessions:read']);
    const b = await stack.tenant(['sessions:read']);
    const [s1, s2, t1] = await Promise.all([
      stack.session(a.tenantId),
      stack.session(a.tenantId),
      stack.session(b.tenantId),
    ]);
    const [wideA, s1A, wideB] = await Promise.all([room(a.api), room(a.api, s1), room(b.api)]);
    const stored = await connections.listByTenant(a.tenantId);
    expect(stored.map((c) => c.sessionId ?? 'tenant-wide').sort()).toEqual([s1, 'tenant-wide'].sort());

    const onS1 = makeEvent('message.status', {
      tenantId: a.tenantId,
      sessionId: s1,
      data: { messageId: newId(), status: 'delivered' },
    });
    const onS2 = makeEvent('chat.updated', {
      tenantId: a.tenantId,
      sessionId: s2,
      data: {
        chat: {
          sessionId: s2,
          chatJid: '15557654321@s.whatsapp.net',
          phone: '+15557654321',
          lastMessage: { id: newId(), type: 'text', preview: 'Thanks!', at: nowIso(), direction: 'inbound' },
          unreadCount: 1,
          archived: false,
          pinned: false,
          muted: false,
          unread: false,
        },
      },
    });
    await bus.publish([onS1, onS2]);
    const wide = await framesOf(wideA, 2, "the tenant-wide socket gets both sessions' events");
    // Each frame is the event envelope as published (order across sessions is not guaranteed).
    expect([...wide].sort(byId)).toEqual([onS1, onS2].sort(byId));
    await framesOf(s1A, 1, "the session socket gets its session's event");

    // Sentinels, published once the events above are out: each bystander's next frame is its own sentinel, so
    // anything misrouted would have come before it.
    const sentinelS1 = makeEvent('session.status', {
      tenantId: a.tenantId,
      sessionId: s1,
      data: { status: 'connected', previousStatus: 'qr', phone: '+15551230000' },
    });
    const sentinelB = makeEvent('session.restricted', {
      tenantId: b.tenantId,
      sessionId: t1,
      data: { active: true, type: 'RESTRICT_ALL_COMPANIONS', until: nowIso() },
    });
    await bus.publish([sentinelS1, sentinelB]);
    await framesOf(s1A, 2, 'the session socket gets the sentinel');
    await framesOf(wideB, 1, "the other tenant's socket gets its own sentinel");
    await framesOf(wideA, 3, 'the tenant-wide socket gets the session sentinel too');
    expect(s1A.frames).toEqual([onS1, sentinelS1]);
    expect(ids(wideB)).toEqual([sentinelB.id]);
    expect(wideA.frames[2]).toEqual(sentinelS1);
  });

  it('the tenant ticket route: sessions:read scope, a single-use ticket with the WebSocket URL, refused once the tenant is suspended', async () => {
    const noScope = await (await stack.tenant(['messages:send'])).api.post('/v1/ws-tickets');
    expect(noScope.status).toBe(403);
    const { api } = await stack.tenant(['sessions:read']);
    const issued = await ticket(api);
    expect(issued.ticket).toMatch(WS_TICKET_PATTERN);
    expect(new URL(issued.url).searchParams.get('ticket')).toBe(issued.ticket);
    const first = await open(issued.url);
    expect(await attempt(issued.url)).toBe(401);
    first.ws.close();

    // Admission reads the tenant: a tenant-wide ticket issued before a suspension no longer opens a socket.
    const suspended = await stack.tenant(['sessions:read']);
    const beforeSuspension = await ticket(suspended.api);
    await stack.repos.tenants.update(suspended.tenantId, { status: 'suspended' });
    expect(await attempt(beforeSuspension.url)).toBe(401);
  });

  it(`refuses a tenant's connection over the cap (${CAP}) with 429 and spends its ticket; other tenants are not affected`, async () => {
    const c = await stack.tenant(['sessions:read']);
    const session = await stack.session(c.tenantId);
    const held = [await room(c.api), await room(c.api, session), await room(c.api)];
    const over = await ticket(c.api, session);
    expect(await attempt(over.url)).toBe(429);

    // Another tenant still connects.
    await room((await stack.tenant(['sessions:read'])).api);

    // A slot frees up; the refused ticket was spent all the same, a fresh one gets in.
    held[0]!.ws.close();
    await eventually('the closed connection forgotten', async () =>
      (await connections.listByTenant(c.tenantId)).length < CAP ? true : undefined,
    );
    expect(await attempt(over.url)).toBe(401);
    await room(c.api);
  });
});

/** Frames and events by id (frames without one, e.g. `pong`, first). */
function byId(x: WsAnyServerFrame | DomainEvent, y: WsAnyServerFrame | DomainEvent): number {
  const id = (f: WsAnyServerFrame | DomainEvent) => ('id' in f ? f.id : '');
  return id(x).localeCompare(id(y));
}
