/**
 * The handover's choices against DynamoDB Local and fauxqs (the runner side is shown end to end by
 * handover.test.ts): each released session is rung to the live peer with the most room, never to a stale or
 * full host; without a peer the sessions are only released; a late doorbell is forwarded to the session's new
 * owner and nowhere else.
 */
import { randomBytes } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqsHostCommandQueue } from '../../../shared/adapters/aws/sqs-host-command-queue.js';
import { DynamoSessionRepository } from '../../../shared/adapters/dynamodb/session-repository.js';
import type { HostCommand } from '../../../shared/contracts/host-command.js';
import { physicalTableName } from '../../../shared/definitions/tables.js';
import { newId, nowIso } from '../../../shared/domain/ids.js';
import type { Session } from '../../../shared/domain/session.js';
import { HostDoorbell } from '../../../shared/services/host-doorbell.js';
import { Handover, type HandoverRunner } from '../../../session-host/handover.js';
import { DynamoHostRegistry } from '../../../shared/adapters/dynamodb/host-registry.js';
import type { HostRegistry } from '../../../shared/ports/host-registry.js';
import { createHostLogger } from '../../../session-host/logger.js';
import { createHostMetrics } from '../../../session-host/metrics.js';
import { startAwsEmulators, type AwsEmulators } from '../../support/aws-emulators.js';
import { ownedSessions } from './lease-fixtures.js';

let aws: AwsEmulators;
let queue: SqsHostCommandQueue;
let sessions: DynamoSessionRepository;
let registry: HostRegistry;

beforeAll(async () => {
  aws = await startAwsEmulators();
  queue = new SqsHostCommandQueue({ sqs: aws.clients.sqs, prefix: aws.prefix });
  sessions = new DynamoSessionRepository({ dynamo: aws.clients.dynamo, config: aws.config });
  registry = new DynamoHostRegistry({ dynamo: aws.clients.dynamo, prefix: aws.prefix });
}, 60_000);
afterAll(async () => {
  await aws?.stop();
});

const hostId = (name: string) => `${name}-${randomBytes(3).toString('hex')}`;
const log = createHostLogger({ level: 'silent' });
const metrics = createHostMetrics({ enabled: false, namespace: 't', serviceName: 't', hostId: 't' });

/** A host with a queue and a heartbeat `ageMs` old reporting `load` of `capacity`. */
async function peer(
  name: string,
  capacity: number,
  load: number,
  ageMs = 0,
): Promise<{ id: string; url: string }> {
  const id = hostId(name);
  const url = await queue.create(id);
  await registry.beat({ hostId: id, queueUrl: url, startedAt: nowIso(), capacity, sessions: load }, 60_000);
  if (ageMs > 0) {
    // Rewrite the beat as if it were `ageMs` old (a crashed peer whose item is not swept yet).
    const at = Date.now() - ageMs;
    await aws.clients.dynamo.send(
      new PutCommand({
        TableName: physicalTableName(aws.prefix, 'hosts'),
        Item: {
          hostId: id,
          queueUrl: url,
          startedAt: nowIso(),
          heartbeatAt: new Date(at).toISOString(),
          heartbeatUntil: at + 60_000,
          capacity,
          sessions: load,
          expiresAt: Math.floor(at / 1000) + 86_400,
        },
      }),
    );
  }
  return { id, url };
}

const owned = (owner: string, n: number): Promise<Session[]> => ownedSessions(sessions, owner, n, 60_000);

/** A runner that only does what the handover needs of one: its stop releases the lease. */
function runnerOf(session: Session, owner: string): HandoverRunner & { stopped: boolean } {
  const r = {
    sessionId: session.id,
    tenantId: session.tenantId,
    stopped: false,
    settle: async () => undefined,
    stop: async () => {
      r.stopped = true;
      await sessions.release(session.id, owner);
    },
  };
  return r;
}

function handover(self: string): Handover {
  return new Handover({
    hostId: self,
    registry,
    queue,
    sessions,
    doorbell: new HostDoorbell(queue, log),
    liveWithinMs: 5_000,
    concurrency: 2,
    settleMs: 0,
    waitMs: 0,
    maxMs: 10_000,
    log,
    metrics,
  });
}

async function drained(url: string): Promise<HostCommand[]> {
  const out: HostCommand[] = [];
  for (;;) {
    const got = await queue.receive(url, { max: 10, waitSeconds: 0 });
    if (got.length === 0) return out;
    for (const r of got) {
      out.push(r.command);
      await r.ack();
    }
  }
}

describe('Handover', () => {
  it('releases each session and rings live peers by room, never a stale or full one', async () => {
    const self = hostId('leaving');
    const roomy = await peer('roomy', 10, 2); // 8 free
    const tight = await peer('tight', 10, 8); // 2 free
    const full = await peer('full', 5, 5);
    const stale = await peer('stale', 100, 0, 30_000);
    const mine = await owned(self, 6);
    const runners = mine.map((s) => runnerOf(s, self));

    const report = await handover(self).run(runners);

    expect(runners.every((r) => r.stopped)).toBe(true);
    for (const s of mine) expect((await sessions.getById(s.id))?.owner).toBeUndefined();
    const toRoomy = await drained(roomy.url);
    const toTight = await drained(tight.url);
    expect(await drained(full.url)).toEqual([]);
    expect(await drained(stale.url)).toEqual([]);
    // Most room first: roomy (8 free) stays ahead of tight (2 free) for all six.
    expect(toRoomy).toHaveLength(6);
    expect(toTight).toEqual([]);
    expect([...toRoomy, ...toTight].every((c) => c.type === 'session.start')).toBe(true);
    expect(new Set([...toRoomy, ...toTight].map((c) => c.sessionId))).toEqual(new Set(mine.map((s) => s.id)));
    // Not seen connected on a peer within the (zero) wait: counted as pending, not moved.
    expect(report).toMatchObject({ sessions: 6, moved: 0, pending: 6 });
  });

  it('forwards a late doorbell to the new owner only', async () => {
    const self = hostId('leaving');
    const heir = await peer('heir', 10, 0);
    const [moved] = await owned(heir.id, 1);
    const [stillMine] = await owned(self, 1);
    const send = (s: Session, tenantId = s.tenantId): HostCommand => ({
      type: 'message.send',
      tenantId,
      sessionId: s.id,
      messageId: newId(),
      sentAt: nowIso(),
    });
    const h = handover(self);
    const forwarded = send(moved!);
    await h.forward(forwarded);
    await h.forward(send(stillMine!)); // ours (not released yet): nothing to forward
    await h.forward(send(moved!, newId())); // another tenant's id for the session: ignored
    await h.forward({
      type: 'session.start',
      tenantId: moved!.tenantId,
      sessionId: moved!.id,
      sentAt: nowIso(),
    });
    expect(await drained(heir.url)).toEqual([forwarded]);
  });
});
