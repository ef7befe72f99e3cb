import { describe, expect, it } from 'vitest';
import {
  createRetryCounterCache,
  RETRY_WINDOW_MS,
  servableMessage,
} from '../../../../session-host/compat/retry-receipts.js';

const NOW = Date.parse('2030-01-01T12:00:00.000Z');
const MINUTE = 60_000;

describe('which sent messages a retry receipt gets', () => {
  const text = { conversation: 'hi' };

  it('a message inside the 15-minute window, nothing (undefined, not an empty message) after it', () => {
    expect(RETRY_WINDOW_MS).toBe(15 * MINUTE);
    expect(servableMessage(text, NOW - 14 * MINUTE, NOW)).toBe(text);
    expect(servableMessage(text, NOW - 16 * MINUTE, NOW)).toBeUndefined();
  });

  it('poll and event creations at any age: votes and responses need them to decrypt', () => {
    const twoDaysAgo = NOW - 2 * 24 * 60 * MINUTE;
    const poll = { pollCreationMessageV3: { name: 'lunch?', options: [{ optionName: 'yes' }] } };
    const event = { eventMessage: { name: 'standup' } };
    expect(servableMessage(poll, twoDaysAgo, NOW)).toBe(poll);
    expect(servableMessage(event, twoDaysAgo, NOW)).toBe(event);
    expect(servableMessage({ reactionMessage: { text: '👍' } }, twoDaysAgo, NOW)).toBeUndefined();
  });
});

describe('the per-session retry counter', () => {
  it('keeps counts for an hour, then forgets them', () => {
    let now = NOW;
    const cache = createRetryCounterCache(() => now);
    cache.set('3EB0AA:15550001111@s.whatsapp.net', 3);
    now += 59 * MINUTE;
    expect(cache.get('3EB0AA:15550001111@s.whatsapp.net')).toBe(3);
    now += 2 * MINUTE;
    expect(cache.get('3EB0AA:15550001111@s.whatsapp.net')).toBeUndefined();
  });

  it('del and flushAll forget', () => {
    const cache = createRetryCounterCache();
    cache.set('a', 1);
    cache.set('b', 2);
    cache.del('a');
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBe(2);
    void cache.flushAll();
    expect(cache.get('b')).toBeUndefined();
  });
});
