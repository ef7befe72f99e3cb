import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoEventOutboxRepository } from '../../../../../shared/adapters/dynamodb/event-outbox-repository.js';
import { makeEvent, type DomainEvent } from '../../../../../shared/domain/events.js';
import { newId } from '../../../../../shared/domain/ids.js';
import { EVENT_OUTBOX_TTL_SECONDS } from '../../../../../shared/ports/event-outbox-repository.js';
import { startAwsEmulators, type AwsEmulators } from '../../../../support/aws-emulators.js';

describe('DynamoEventOutboxRepository', () => {
  let emulators: AwsEmulators;
  let repo: DynamoEventOutboxRepository;
  beforeAll(async () => {
    emulators = await startAwsEmulators();
    repo = new DynamoEventOutboxRepository({ dynamo: emulators.clients.dynamo, config: emulators.config });
  });
  afterAll(async () => {
    await emulators?.stop();
  });

  const tenantId = newId();
  const statusEvent = (sessionId: string, status: 'sent' | 'delivered' | 'read'): DomainEvent =>
    makeEvent('message.status', {
      tenantId,
      sessionId,
      // Deeper than DynamoDB's own nesting limit would allow as a map: stored as text, it round-trips.
      data: { messageId: newId(), status, metadata: { a: { b: { c: { d: [1, 'two', null] } } } } },
    });

  it('gives back exactly the events stored, oldest first, of that session only', async () => {
    const session = newId();
    const other = newId();
    const events = [
      statusEvent(session, 'sent'),
      makeEvent('session.status', {
        tenantId,
        sessionId: session,
        data: { status: 'connected', previousStatus: 'pairing' },
      }),
      statusEvent(session, 'delivered'),
    ];
    // Stored out of order: the event id (a ULID) decides the order, not the write.
    for (const e of [events[2]!, events[0]!, events[1]!]) await repo.add(e);
    await repo.add(statusEvent(other, 'read'));

    expect(await repo.listPending(session)).toEqual(events);
    expect(await repo.listPending(session, { afterId: events[0]!.id })).toEqual(events.slice(1));
    expect(await repo.listPending(session, { limit: 2 })).toEqual(events.slice(0, 2));
  });

  it('an event stored twice is one item; removing it (even twice) leaves the others', async () => {
    const session = newId();
    const [a, b] = [statusEvent(session, 'sent'), statusEvent(session, 'read')];
    await repo.add(a);
    await repo.add(a);
    await repo.add(b);
    await repo.remove(session, a.id);
    await repo.remove(session, a.id);
    expect(await repo.listPending(session)).toEqual([b]);
  });

  it('removes up to 25 events of several sessions in one batch (already removed ones too), and refuses more', async () => {
    const sessions = [newId(), newId()];
    const events = Array.from({ length: 25 }, (_, i) => statusEvent(sessions[i % 2]!, 'sent'));
    const kept = statusEvent(sessions[0]!, 'read');
    for (const e of [...events, kept]) await repo.add(e);
    await repo.remove(events[0]!.sessionId, events[0]!.id);
    await repo.removeMany(events.map((e) => ({ sessionId: e.sessionId, eventId: e.id })));
    expect((await repo.listPending(sessions[0]!)).map((e) => e.id)).toEqual([kept.id]);
    expect(await repo.listPending(sessions[1]!)).toEqual([]);
    const tooMany = Array.from({ length: 26 }, () => ({ sessionId: sessions[0]!, eventId: newId() }));
    await expect(repo.removeMany(tooMany)).rejects.toThrow('at most 25');
  });

  it('skips expired items (DynamoDB Local never deletes them) and fills the page past them', async () => {
    const session = newId();
    const now = new Date();
    const old = new Date(now.getTime() - (EVENT_OUTBOX_TTL_SECONDS + 60) * 1000);
    const expired = [statusEvent(session, 'sent'), statusEvent(session, 'delivered')];
    const live = statusEvent(session, 'read');
    for (const e of expired) await repo.add(e, old);
    await repo.add(live, now);
    expect(await repo.listPending(session, { limit: 1 }, now)).toEqual([live]);
  });

  it('refuses an event that is not a valid domain event', async () => {
    const bad = { ...statusEvent(newId(), 'sent'), sessionId: 'not-a-ulid' } as DomainEvent;
    await expect(repo.add(bad)).rejects.toThrow();
  });
});
