/**
 * What the pool failover worker reads from its queue: the rules' EventBridge records and its own re-checks are
 * told apart and validated; anything else is reported as issues (the handler logs and drops it).
 */
import { describe, expect, it } from 'vitest';
import { parseFailoverRecord } from '../../../../functions/workers/pool-failover.js';
import { EVENT_SOURCE } from '../../../../shared/definitions/event-rules.js';
import { makeEvent } from '../../../../shared/domain/events.js';
import { newId } from '../../../../shared/domain/ids.js';

describe('pool failover records', () => {
  it('reads a re-check and a rule’s event', () => {
    const recheck = { kind: 'pool.recheck', tenantId: newId(), sessionId: newId() };
    expect(parseFailoverRecord(JSON.stringify(recheck))).toEqual(recheck);
    const event = makeEvent('session.status', {
      tenantId: newId(),
      sessionId: newId(),
      data: { status: 'reconnecting' },
    });
    const record = { source: EVENT_SOURCE, 'detail-type': event.type, detail: event };
    expect(parseFailoverRecord(JSON.stringify(record))).toMatchObject({ detail: event });
  });

  it('reports what is not ours instead of throwing', () => {
    expect(parseFailoverRecord('{not json')).toEqual({ issues: ['not JSON'] });
    expect(parseFailoverRecord(JSON.stringify({ kind: 'pool.recheck', tenantId: 'x' }))).toHaveProperty(
      'issues',
    );
    const foreign = { source: 'someone.else', 'detail-type': 'session.status', detail: {} };
    expect(parseFailoverRecord(JSON.stringify(foreign))).toHaveProperty('issues');
  });
});
