/** The control plane's own DynamoDB stores: rate-limit counters, Idempotency-Key records, session erasure. */
import { describe, expect, it } from 'vitest';
import { DynamoChatRepository } from '../../../../../shared/adapters/dynamodb/chat-repository.js';
import { DynamoIdempotencyStore } from '../../../../../shared/adapters/dynamodb/idempotency-store.js';
import { DynamoMessageRepository } from '../../../../../shared/adapters/dynamodb/message-repository.js';
import { DynamoRateLimitCounter } from '../../../../../shared/adapters/dynamodb/rate-limit-counter.js';
import { DynamoSessionRecordsEraser } from '../../../../../shared/adapters/dynamodb/session-records-eraser.js';
import { newId, nowIso } from '../../../../../shared/domain/ids.js';
import { phoneToJid } from '../../../../../shared/domain/phone.js';
import { sliceStart, slidingWindow } from '../../../../../shared/domain/rate-window.js';
import {
  IDEMPOTENCY_TTL_SECONDS,
  IdempotencyKeyReusedError,
} from '../../../../../shared/ports/idempotency-store.js';
import { useDynamo } from './support.js';

const db = useDynamo();

describe('DynamoRateLimitCounter', () => {
  it('counts exactly `limit` hits in the sliding window under concurrency, in one item per bucket', async () => {
    const counter = new DynamoRateLimitCounter(db.ctx);
    const bucket = `T${newId()}#api`;
    const window = slidingWindow(Date.now());
    const results = await Promise.all(Array.from({ length: 20 }, () => counter.hit(bucket, 5, window)));
    // Each counted hit learns its own place in the window; the rest are refused and see the full window.
    expect(
      results
        .filter((r) => r.counted)
        .map((r) => r.totals[0])
        .sort(),
    ).toEqual([1, 2, 3, 4, 5]);
    const refused = results.filter((r) => !r.counted);
    expect(refused).toHaveLength(15);
    expect(refused[0]?.totals).toEqual([5, 5, 5, 5, 5, 5, 5]);
    const item = await db.rawItem('rateLimits', { bucketKey: bucket });
    expect(item?.[`s${window.slice}`]).toBe(5);
    expect(item?.['expiresAt']).toBeGreaterThanOrEqual(Math.ceil(sliceStart(window, 7) / 1000));
    // A minute later the hits are still in the window; once their slice has left it, the window is empty.
    const later = { ...window, slice: window.slice + 6 };
    expect((await counter.hit(bucket, 5, later)).counted).toBe(false);
    const gone = await counter.hit(bucket, 5, { ...window, slice: window.slice + 7 });
    expect(gone).toEqual({ counted: true, totals: [1, 1, 1, 1, 1, 1, 1] });
    // Passed slices' totals are removed, so the item stays small.
    const after = await db.rawItem('rateLimits', { bucketKey: bucket });
    expect(after?.[`s${window.slice}`]).toBeUndefined();
    // Another bucket is independent.
    expect((await counter.hit(`${bucket}x`, 5, window)).totals[0]).toBe(1);
  });
});

describe('DynamoIdempotencyStore', () => {
  const claim = (key: string, fingerprint: string, now = Date.now()) => ({
    scope: 'T1',
    key,
    fingerprint,
    candidateId: newId(),
    now,
  });

  it('the first claim fixes the id; racers with the same fingerprint adopt it; another fingerprint is refused', async () => {
    const store = new DynamoIdempotencyStore(db.ctx);
    const key = newId();
    const ids = await Promise.all(Array.from({ length: 10 }, () => store.claim(claim(key, 'f1'))));
    expect(new Set(ids).size).toBe(1);
    await expect(store.claim(claim(key, 'f2'))).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    // Scopes (tenants) do not share keys.
    const other = await store.claim({ ...claim(key, 'f2'), scope: 'T2' });
    expect(other).not.toBe(ids[0]);
  });

  it('an expired record is claimed afresh (DynamoDB deletes expired items only eventually)', async () => {
    const store = new DynamoIdempotencyStore(db.ctx);
    const key = newId();
    const first = await store.claim(claim(key, 'f1'));
    const later = Date.now() + (IDEMPOTENCY_TTL_SECONDS + 60) * 1000;
    const again = claim(key, 'f2', later);
    expect(await store.claim(again)).toBe(again.candidateId);
    expect(again.candidateId).not.toBe(first);
  });
});

describe('DynamoSessionRecordsEraser', () => {
  it("deletes every message and chat of the session (more than one batch), and nothing of another session's", async () => {
    const messages = new DynamoMessageRepository(db.ctx);
    const chats = new DynamoChatRepository(db.ctx);
    const [victim, bystander] = [newId(), newId()];
    const tenantId = newId();
    const write = async (sessionId: string, i: number) => {
      const at = nowIso();
      const to = `+1555000${String(1000 + (i % 30)).padStart(4, '0')}`;
      const { message } = await messages.create({
        id: newId(),
        tenantId,
        sessionId,
        direction: 'outbound',
        chatJid: phoneToJid(to),
        to,
        type: 'text',
        content: { type: 'text', text: { body: `m${i}` } },
        status: 'queued',
        statusHistory: [{ status: 'queued', at }],
        createdAt: at,
        updatedAt: at,
      });
      await chats.recordMessage({
        tenantId,
        sessionId,
        chatJid: message.chatJid,
        lastMessage: { id: message.id, type: 'text', preview: 'x', at, direction: 'outbound' },
      });
    };
    for (let i = 0; i < 60; i += 1) await write(victim, i);
    await write(bystander, 0);

    const erased = await new DynamoSessionRecordsEraser(db.ctx).erase(victim);
    expect(erased).toEqual({ messages: 60, chats: 30 });
    expect((await messages.listBySession(victim)).items).toEqual([]);
    expect((await chats.listByActivity(victim)).items).toEqual([]);
    expect((await messages.listBySession(bystander)).items).toHaveLength(1);
    expect((await chats.listByActivity(bystander)).items).toHaveLength(1);
    // Erasing again is a no-op.
    expect(await new DynamoSessionRecordsEraser(db.ctx).erase(victim)).toEqual({ messages: 0, chats: 0 });
  });

  it('hands the incoming files of each batch to beforeDelete before deleting it; a failure there keeps the batch', async () => {
    const messages = new DynamoMessageRepository(db.ctx);
    const sessionId = newId();
    const tenantId = newId();
    const at = nowIso();
    const phone = '+15550001234';
    const from = { phone };
    const base = {
      tenantId,
      sessionId,
      chatJid: phoneToJid(phone),
      statusHistory: [{ status: 'delivered' as const, at }],
      status: 'delivered' as const,
      createdAt: at,
      updatedAt: at,
    };
    const photoId = newId();
    const documentId = newId();
    const uploadedId = newId();
    await messages.create({
      ...base,
      id: newId(),
      direction: 'inbound',
      from,
      waMessageId: 'WA1',
      type: 'image',
      content: { type: 'image', image: { mediaId: photoId, mimeType: 'image/jpeg' } },
    });
    await messages.create({
      ...base,
      id: newId(),
      direction: 'inbound',
      from,
      waMessageId: 'WA2',
      type: 'document',
      content: { type: 'document', document: { mediaId: documentId, fileName: 'a.pdf' } },
    });
    await messages.create({
      ...base,
      id: newId(),
      direction: 'inbound',
      from,
      waMessageId: 'WA3',
      type: 'text',
      content: { type: 'text', text: { body: 'no file' } },
    });
    // Our own send of an upload: the file is the tenant's, not this session's.
    await messages.create({
      ...base,
      id: newId(),
      direction: 'outbound',
      to: phone,
      type: 'image',
      content: { type: 'image', image: { mediaId: uploadedId } },
    });
    const eraser = new DynamoSessionRecordsEraser(db.ctx);

    const failing = eraser.erase(sessionId, {
      beforeDelete: async () => {
        throw new Error('S3 is down');
      },
    });
    await expect(failing).rejects.toThrow('S3 is down');
    expect((await messages.listBySession(sessionId)).items).toHaveLength(4);

    const handed: string[] = [];
    const erased = await eraser.erase(sessionId, {
      beforeDelete: async (ids) => void handed.push(...ids),
    });
    expect(erased.messages).toBe(4);
    expect(handed.sort()).toEqual([photoId, documentId].sort());
    expect((await messages.listBySession(sessionId)).items).toEqual([]);
  });
});
