import { describe, expect, it } from 'vitest';
import {
  createRetryCounterCache,
  RETRY_WINDOW_MS,
  SentMessageArchive,
  servableMessage,
} from '../../../../session-host/compat/retry-receipts.js';
import type { MessagingLogger } from '../../../../session-host/messaging/deps.js';
import type { MessageRepository } from '../../../../shared/ports/message-repository.js';

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

describe('SentMessageArchive: a kept proto until the send stores it', () => {
  const SESSION = 's1';
  const WA_ID = '3EB0AAAA';
  const key = { id: WA_ID, fromMe: true, remoteJid: '15550001111@s.whatsapp.net' };
  /** The repository's two sent-proto calls, in memory (what the archive decides is the subject here). */
  const world = (failWrites = false) => {
    const items = new Map<string, { messageId: string; proto: Uint8Array; sentAt: string }>();
    const warnings: string[] = [];
    const messages = {
      saveSentProto: async (_s: string, messageId: string, proto: Uint8Array, sentAt: string) => {
        if (failWrites) throw new Error('DynamoDB unavailable');
        items.set(WA_ID, { messageId, proto, sentAt });
      },
      findSentProto: async (_s: string, waId: string) => items.get(waId) ?? null,
    } as unknown as MessageRepository;
    const log: MessagingLogger = {
      debug: () => undefined,
      info: () => undefined,
      warn: (message) => void warnings.push(message),
      error: () => undefined,
    };
    const archive = new SentMessageArchive({ messages, log, now: () => NOW });
    return { archive, items, warnings };
  };

  it('answers from memory before any write, and from the item once the transaction stored it', async () => {
    const { archive, items } = world();
    const kept = archive.keep(SESSION, 'm1', WA_ID, { conversation: 'hi' })!;
    expect(kept.at).toBe(new Date(NOW).toISOString());
    expect(await archive.getMessage(SESSION, key)).toEqual(expect.objectContaining({ conversation: 'hi' }));
    // The transaction stored it (the test stands in for it), then the send says so: memory forgets it.
    items.set(WA_ID, { messageId: 'm1', proto: kept.proto, sentAt: kept.at });
    kept.stored();
    items.delete(WA_ID);
    expect(await archive.getMessage(SESSION, key)).toBeUndefined();
  });

  it('store writes it on its own when the move did not carry it; a failed write is logged, never thrown', async () => {
    const ok = world();
    await ok.archive.keep(SESSION, 'm1', WA_ID, { conversation: 'hi' })!.store();
    expect(ok.items.get(WA_ID)?.messageId).toBe('m1');
    const failing = world(true);
    await failing.archive.keep(SESSION, 'm1', WA_ID, { conversation: 'hi' })!.store();
    expect(failing.warnings).toEqual(['sent message not kept for retry receipts']);
    expect(await failing.archive.getMessage(SESSION, key)).toBeUndefined();
  });

  it('keeps nothing without a proto', () => {
    expect(world().archive.keep(SESSION, 'm1', WA_ID, undefined)).toBeUndefined();
  });
});
