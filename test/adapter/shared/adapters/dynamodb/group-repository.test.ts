import { describe, expect, it } from 'vitest';
import { DynamoGroupReceiptStore } from '../../../../../shared/adapters/dynamodb/group-receipt-store.js';
import { DynamoGroupRepository } from '../../../../../shared/adapters/dynamodb/group-repository.js';
import { DynamoMessageRepository } from '../../../../../shared/adapters/dynamodb/message-repository.js';
import { DynamoSessionRecordsEraser } from '../../../../../shared/adapters/dynamodb/session-records-eraser.js';
import { newId, nowIso } from '../../../../../shared/domain/ids.js';
import { rolledUpStatus } from '../../../../../session-host/messaging/receipts.js';
import { useDynamo } from './support.js';
import { GROUP_ID as GROUP, groupInfo as info } from '../../../../support/group-info.js';

const db = useDynamo();
const repo = () => new DynamoGroupRepository(db.ctx);

describe('DynamoGroupRepository', () => {
  it('stores a group whole, lists it per session, patches settings, and marks it left', async () => {
    const tenantId = newId();
    const sessionId = newId();
    await repo().put(tenantId, sessionId, info(), nowIso());
    await repo().put(tenantId, sessionId, info({ id: '120363000000000002@g.us', subject: 'Two' }), nowIso());
    await repo().put(tenantId, newId(), info({ subject: 'Another session' }), nowIso());
    const page = await repo().list(sessionId, { limit: 1 });
    expect(page.items.map((g) => g.subject)).toEqual(['Ops']);
    const next = await repo().list(sessionId, { limit: 1, cursor: page.cursor! });
    expect(next.items.map((g) => g.subject)).toEqual(['Two']);

    const patched = await repo().patch(sessionId, GROUP, { subject: 'Ops 2', locked: true }, nowIso());
    expect(patched).toMatchObject({ subject: 'Ops 2', locked: true, announce: false, tenantId });
    await repo().patch(sessionId, GROUP, { description: 'rules' }, nowIso());
    expect(
      (await repo().patch(sessionId, GROUP, { description: null }, nowIso()))?.description,
    ).toBeUndefined();
    expect(await repo().patch(sessionId, '120363000000000009@g.us', { locked: true }, nowIso())).toBeNull();
    expect((await repo().patch(sessionId, GROUP, { left: true }, nowIso()))?.left).toBe(true);
    // WhatsApp's next full answer (the account is back in) clears `left`.
    expect((await repo().put(tenantId, sessionId, info(), nowIso())).left).toBeUndefined();
  });

  it('applies member changes by phone or LID, keeps the creator a superadmin, and counts the size', async () => {
    const sessionId = newId();
    await repo().put(newId(), sessionId, info(), nowIso());
    const added = await repo().changeParticipants(
      sessionId,
      GROUP,
      'add',
      [{ phone: '+15550000003' }, { phone: '+15550000004', lid: '100000000000004' }],
      nowIso(),
    );
    expect(added?.size).toBe(4);
    // Promoted by LID: the member the group knew by LID only gains the number the notification revealed.
    const promoted = await repo().changeParticipants(
      sessionId,
      GROUP,
      'promote',
      [{ phone: '+15550000002', lid: '100000000000002' }, { lid: '100000000000001' }],
      nowIso(),
    );
    expect(promoted?.participants.slice(0, 2)).toEqual([
      { phone: '+15550000001', lid: '100000000000001', role: 'superadmin' },
      { phone: '+15550000002', lid: '100000000000002', role: 'admin' },
    ]);
    const removed = await repo().changeParticipants(
      sessionId,
      GROUP,
      'remove',
      [{ lid: '100000000000004' }, { phone: '+15550000003' }],
      nowIso(),
    );
    expect(removed?.participants.map((p) => p.phone)).toEqual(['+15550000001', '+15550000002']);
    expect(removed?.size).toBe(2);
    expect(await repo().changeParticipants(newId(), GROUP, 'add', [{ lid: '1' }], nowIso())).toBeNull();

    // Racing member changes: each lands (the conditional write retries the loser).
    await Promise.all(
      ['+15550000005', '+15550000006', '+15550000007'].map((phone) =>
        repo().changeParticipants(sessionId, GROUP, 'add', [{ phone }], nowIso()),
      ),
    );
    expect((await repo().get(sessionId, GROUP))?.size).toBe(5);

    await new DynamoSessionRecordsEraser(db.ctx).erase(sessionId);
    expect(await repo().get(sessionId, GROUP)).toBeNull();
  });
});

describe('group receipts', () => {
  it('count each member once, reading implies delivery, and roll up like WhatsApp shows them', async () => {
    const sessionId = newId();
    const at = nowIso();
    const messageId = newId();
    await new DynamoMessageRepository(db.ctx).create({
      id: messageId,
      tenantId: newId(),
      sessionId,
      direction: 'outbound',
      chatJid: GROUP,
      to: GROUP,
      type: 'text',
      content: { type: 'text', text: { body: 'hi all' } },
      status: 'sent',
      statusHistory: [{ status: 'sent', at }],
      createdAt: at,
      updatedAt: at,
    });
    const store = new DynamoGroupReceiptStore(db.ctx);
    const a = '15550000001@s.whatsapp.net';
    const b = '100000000000002@lid';
    expect(await store.record(sessionId, messageId, a, 'delivered')).toEqual({ delivered: 1, read: 0 });
    expect(await store.record(sessionId, messageId, a, 'delivered')).toEqual({ delivered: 1, read: 0 });
    expect(rolledUpStatus({ delivered: 1, read: 0 }, 2)).toBeNull();
    const read = await store.record(sessionId, messageId, b, 'read');
    expect(read).toEqual({ delivered: 2, read: 1 });
    expect(rolledUpStatus(read, 2)).toBe('delivered');
    const all = await store.record(sessionId, messageId, a, 'read');
    expect(rolledUpStatus(all, 2)).toBe('read');
    // The sets are storage only: the message reads back as before.
    const stored = await new DynamoMessageRepository(db.ctx).get(sessionId, messageId);
    expect(stored).not.toHaveProperty('receiptsDelivered');
    expect(await store.record(sessionId, newId(), a, 'read')).toEqual({ delivered: 0, read: 0 });
  });
});
