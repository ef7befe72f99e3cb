import { describe, expect, it } from 'vitest';
import { DynamoLidMappingRepository } from '../../../../../shared/adapters/dynamodb/lid-mapping-repository.js';
import { DynamoSessionRecordsEraser } from '../../../../../shared/adapters/dynamodb/session-records-eraser.js';
import { newId } from '../../../../../shared/domain/ids.js';
import { useDynamo } from './support.js';

const db = useDynamo();
const repo = () => new DynamoLidMappingRepository(db.ctx);

describe('DynamoLidMappingRepository', () => {
  it('answers both directions per session, and a newer pair replaces the older', async () => {
    const sessionId = newId();
    const other = newId();
    await repo().record(sessionId, [
      { lid: '200000000000001', phone: '+15550000001' },
      { lid: '200000000000002', phone: '+15550000002' },
    ]);
    expect(await repo().lidFor(sessionId, '+15550000001')).toBe('200000000000001');
    expect(await repo().phoneFor(sessionId, '200000000000002')).toBe('+15550000002');
    expect(await repo().lidFor(other, '+15550000001')).toBeNull();
    expect(await repo().phoneFor(sessionId, '999')).toBeNull();
    // The same key twice in one call (a batch refuses duplicates): the last one given wins.
    await repo().record(sessionId, [
      { lid: '200000000000009', phone: '+15550000001' },
      { lid: '200000000000010', phone: '+15550000001' },
    ]);
    expect(await repo().lidFor(sessionId, '+15550000001')).toBe('200000000000010');
    expect(await db.rawItem('lidMappings', { sessionId, idKey: 'lid#200000000000010' })).toMatchObject({
      lid: '200000000000010',
      phone: '+15550000001',
    });
  });

  it('writes more pairs than one batch holds, refuses a malformed pair, and goes with the session', async () => {
    const sessionId = newId();
    const pairs = Array.from({ length: 30 }, (_, i) => ({
      lid: String(300000000000000 + i),
      phone: `+1555100${String(i).padStart(4, '0')}`,
    }));
    await repo().record(sessionId, pairs);
    expect(await repo().phoneFor(sessionId, '300000000000029')).toBe('+15551000029');
    await expect(repo().record(sessionId, [{ lid: 'x@lid', phone: '+15550000001' }])).rejects.toThrow();
    await new DynamoSessionRecordsEraser(db.ctx).erase(sessionId);
    expect(await repo().lidFor(sessionId, '+15551000000')).toBeNull();
    expect(await db.rawItem('lidMappings', { sessionId, idKey: 'lid#300000000000029' })).toBeUndefined();
  });
});
