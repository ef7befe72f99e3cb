/**
 * The realtime push worker's routing, with the real handler and the real `ApiGatewayWsPusher`; what the test is
 * not about is faked: the connections table (a map) and the management API (records posts, answers 410 for gone
 * connections, fails the rest as throttled).
 */
import type { PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import {
  GoneException,
  LimitExceededException,
  type ApiGatewayManagementApiClient,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRealtimePushHandler } from '../../../../functions/workers/realtime-push.js';
import { workerLogger } from '../../../../functions/workers/worker-log.js';
import { createLambdaContext } from '../../../../local/lambda-runtime.js';
import { ApiGatewayWsPusher } from '../../../../shared/adapters/aws/api-gateway-ws-pusher.js';
import { WsEventFrameSchema } from '../../../../shared/contracts/ws-frames.js';
import { EVENT_SOURCE } from '../../../../shared/definitions/event-rules.js';
import { makeEvent, type DomainEvent } from '../../../../shared/domain/events.js';
import { newId, nowIso } from '../../../../shared/domain/ids.js';
import type {
  WsConnection,
  WsConnectionRepository,
} from '../../../../shared/ports/ws-connection-repository.js';

class MapConnections implements WsConnectionRepository {
  readonly items = new Map<string, WsConnection>();
  failListing = false;
  tenantListings = 0;
  async put(c: WsConnection) {
    this.items.set(c.connectionId, c);
  }
  async delete(id: string) {
    this.items.delete(id);
  }
  async listBySession(sessionId: string) {
    return [...this.items.values()].filter((c) => c.sessionId === sessionId);
  }
  async listByTenant(tenantId: string) {
    this.tenantListings++;
    if (this.failListing) throw new Error('ProvisionedThroughputExceededException');
    return [...this.items.values()].filter((c) => c.tenantId === tenantId);
  }
}

/** The management API: what was posted to whom; `gone` answer 410, `throttled` a limit error. */
function managementApi(gone: ReadonlySet<string>, throttled: ReadonlySet<string> = new Set()) {
  const posts: { connectionId: string; frame: unknown }[] = [];
  const client = {
    send: async (command: PostToConnectionCommand) => {
      const id = command.input.ConnectionId!;
      if (gone.has(id)) throw new GoneException({ message: 'gone', $metadata: { httpStatusCode: 410 } });
      if (throttled.has(id))
        throw new LimitExceededException({ message: 'slow down', $metadata: { httpStatusCode: 429 } });
      const data = command.input.Data;
      const text = typeof data === 'string' ? data : new TextDecoder().decode(data as Uint8Array);
      posts.push({ connectionId: id, frame: JSON.parse(text) });
      return {};
    },
  } as unknown as ApiGatewayManagementApiClient;
  return { client, posts };
}

const sqsEvent = (bodies: string[]): SQSEvent => ({
  Records: bodies.map((body, i) => ({
    messageId: `m-${i}`,
    receiptHandle: `r-${i}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'events.amazonaws.com',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:realtimePush',
    awsRegion: 'us-east-1',
  })),
});

/** What the rule's SQS target receives for a domain event. */
const onTheQueue = (event: unknown) =>
  JSON.stringify({ source: EVENT_SOURCE, 'detail-type': 'x', detail: event });

const connection = (tenantId: string, sessionId?: string): WsConnection => ({
  connectionId: `c-${newId()}`,
  tenantId,
  ...(sessionId === undefined ? {} : { sessionId }),
  connectedAt: nowIso(),
  expiresAt: Math.floor(Date.now() / 1000) + 600,
});

const statusEvent = (tenantId: string, sessionId: string): DomainEvent =>
  makeEvent('message.status', {
    tenantId,
    sessionId,
    data: { messageId: newId(), status: 'delivered' },
  });

function world(gone: ReadonlySet<string> = new Set(), throttled?: ReadonlySet<string>) {
  const connections = new MapConnections();
  const api = managementApi(gone, throttled);
  const pusher = new ApiGatewayWsPusher({ client: api.client, connections });
  const handler = createRealtimePushHandler(() => ({ pusher }));
  const run = (bodies: string[]) => handler(sqsEvent(bodies), createLambdaContext('realtime-push', 5_000));
  return { connections, posts: api.posts, run };
}

describe('realtime push worker', () => {
  afterEach(() => vi.restoreAllMocks());

  it("pushes an event as is to its tenant's wide connections and its session's, and to no one else", async () => {
    const { connections, posts, run } = world();
    const tenant = newId();
    const [session, otherSession] = [newId(), newId()];
    const wide = connection(tenant);
    const bound = connection(tenant, session);
    const elsewhere = connection(tenant, otherSession);
    const otherTenantWide = connection(newId());
    const otherTenantSameSessionId = connection(newId(), session);
    for (const c of [wide, bound, elsewhere, otherTenantWide, otherTenantSameSessionId])
      await connections.put(c);

    const event = statusEvent(tenant, session);
    expect(await run([onTheQueue(event)])).toEqual({ batchItemFailures: [] });
    expect(posts.map((p) => p.connectionId).sort()).toEqual([wide.connectionId, bound.connectionId].sort());
    for (const { frame } of posts) {
      expect(frame).toEqual(event);
      expect(WsEventFrameSchema.parse(frame)).toEqual(event);
    }
  });

  it("lists a tenant's connections once per batch, however many of its events the batch holds", async () => {
    const { connections, posts, run } = world();
    const [tenant, otherTenant] = [newId(), newId()];
    const [session, otherSession] = [newId(), newId()];
    const wide = connection(tenant);
    const bound = connection(tenant, session);
    const other = connection(otherTenant);
    for (const c of [wide, bound, other]) await connections.put(c);

    const events = [
      statusEvent(tenant, session),
      statusEvent(tenant, otherSession),
      statusEvent(otherTenant, newId()),
    ];
    expect(await run(events.map(onTheQueue))).toEqual({ batchItemFailures: [] });
    expect(connections.tenantListings).toBe(2);
    // Each event still goes to its own room: the session-bound connection gets its session's event only.
    const to = (id: string) =>
      posts.filter((p) => p.connectionId === id).map((p) => (p.frame as DomainEvent).id);
    expect(to(wide.connectionId).sort()).toEqual([events[0]?.id, events[1]?.id].sort());
    expect(to(bound.connectionId)).toEqual([events[0]?.id]);
    expect(to(other.connectionId)).toEqual([events[2]?.id]);

    // The next batch reads afresh: a connection made since is reached.
    const late = connection(tenant);
    await connections.put(late);
    await run([onTheQueue(statusEvent(tenant, session))]);
    expect(connections.tenantListings).toBe(3);
    expect(posts.filter((p) => p.connectionId === late.connectionId)).toHaveLength(1);
  });

  it('pushes an incoming call (call.received) as is, for the console to list it', async () => {
    const { connections, posts, run } = world();
    const tenant = newId();
    await connections.put(connection(tenant));
    const call = makeEvent('call.received', {
      tenantId: tenant,
      sessionId: newId(),
      data: {
        callId: 'C0FFEE',
        from: { lid: '123456789012345' },
        video: true,
        group: false,
        at: nowIso(),
        rejected: true,
        replied: false,
      },
    });
    expect(await run([onTheQueue(call)])).toEqual({ batchItemFailures: [] });
    expect(posts.map((p) => p.frame)).toEqual([call]);
  });

  it('deletes a gone connection (410) and still reaches the others; a throttled one is kept', async () => {
    const tenant = newId();
    const [live, gone, slow] = [connection(tenant), connection(tenant), connection(tenant)];
    const { connections, posts, run } = world(new Set([gone.connectionId]), new Set([slow.connectionId]));
    for (const c of [live, gone, slow]) await connections.put(c);

    expect(await run([onTheQueue(statusEvent(tenant, newId()))])).toEqual({ batchItemFailures: [] });
    expect(posts.map((p) => p.connectionId)).toEqual([live.connectionId]);
    expect([...connections.items.keys()].sort()).toEqual([live.connectionId, slow.connectionId].sort());
  });

  it('drops malformed records with an error log instead of failing them; a failed listing is retried', async () => {
    const { connections, posts, run } = world();
    const tenant = newId();
    await connections.put(connection(tenant));
    const errors = vi.spyOn(workerLogger(), 'error').mockImplementation(() => undefined);
    const good = statusEvent(tenant, newId());
    const result = await run([
      'not json',
      JSON.stringify({ source: 'someone-else', 'detail-type': 'x', detail: good }),
      onTheQueue({ ...good, data: { status: 'teleported' } }),
      onTheQueue({ ...good, tenantId: 'not-an-id' }),
      onTheQueue(good),
    ]);
    expect(result).toEqual({ batchItemFailures: [] });
    expect(posts).toHaveLength(1);
    expect(errors).toHaveBeenCalledTimes(4);
    expect(errors.mock.calls.map(([message]) => message)).toEqual(
      Array(4).fill('malformed event on the realtime queue, dropped'),
    );

    connections.failListing = true;
    expect(await run([onTheQueue(good)])).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-0' }] });
  });
});
