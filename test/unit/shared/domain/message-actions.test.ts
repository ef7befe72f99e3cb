import { describe, expect, it } from 'vitest';
import {
  EditMessageRequestSchema,
  SendPollSchema,
  pollOfRequest,
  withVote,
  withinEditWindow,
} from '../../../../shared/domain/message-actions.js';
import { contentOfRequest } from '../../../../shared/domain/message.js';

describe('polls', () => {
  const poll = pollOfRequest(SendPollSchema.parse({ name: 'Lunch?', options: ['Pizza', 'Sushi', 'Salad'] }));

  it('a sent poll starts with no votes and one choice each', () => {
    expect(poll).toEqual({
      name: 'Lunch?',
      options: [
        { name: 'Pizza', count: 0, voters: [] },
        { name: 'Sushi', count: 0, voters: [] },
        { name: 'Salad', count: 0, voters: [] },
      ],
      selectableCount: 1,
    });
    expect(
      contentOfRequest({
        to: '+15550001111',
        type: 'poll',
        poll: { name: 'Q', options: ['a', 'b'], selectableCount: 2 },
      }),
    ).toMatchObject({
      type: 'poll',
      poll: { selectableCount: 2, options: [{ name: 'a', count: 0 }, { name: 'b' }] },
    });
  });

  it("tallies each voter's latest choice; a vote changed or withdrawn moves the counts", () => {
    const a = withVote(poll, '+15550000001', ['Pizza']);
    const b = withVote(a, 'lid:123456', ['Pizza', 'Salad']);
    expect(b.options.map((o) => [o.name, o.count, o.voters])).toEqual([
      ['Pizza', 2, ['+15550000001', 'lid:123456']],
      ['Sushi', 0, []],
      ['Salad', 1, ['lid:123456']],
    ]);
    const changed = withVote(b, '+15550000001', ['Sushi']);
    expect(changed.options.map((o) => o.count)).toEqual([1, 1, 1]);
    const withdrawn = withVote(changed, 'lid:123456', []);
    expect(withdrawn.options.map((o) => o.count)).toEqual([0, 1, 0]);
  });
});

describe('edits', () => {
  it('refuses an empty text, naming the field', () => {
    const result = EditMessageRequestSchema.safeParse({ text: '  ' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['text']);
    expect(EditMessageRequestSchema.safeParse({ text: 'ok', extra: 1 }).success).toBe(false);
  });

  it("keeps to WhatsApp's 15-minute window", () => {
    const sent = '2026-12-07T10:00:00.000Z';
    expect(withinEditWindow(sent, Date.parse('2026-12-07T10:14:59.000Z'))).toBe(true);
    expect(withinEditWindow(sent, Date.parse('2026-12-07T10:15:01.000Z'))).toBe(false);
  });
});
