/**
 * The simulated phone's one-time prekeys, as the server hands them out: each bundle carries a key no other bundle
 * carried, so a burst of first messages from more new senders than the phone keeps in stock all decrypt (before,
 * keys were rotated through a stock of 20: the 21st sender got a key the first one's pkmsg had used up, and the
 * phone failed with `Invalid PreKey ID`, dropping the message).
 */
import { describe, expect, it } from 'vitest';
import { SignalPeer } from '../../../../simulator/world/signal-peer.js';

describe('SignalPeer one-time prekeys', () => {
  it('hands each one-time prekey out once, so 30 new senders’ first messages all decrypt', async () => {
    const phone = new SignalPeer();
    const senders = Array.from({ length: 30 }, () => new SignalPeer());
    const bundles = senders.map(() => phone.takeBundle());
    const keyIds = bundles.map((b) => b.preKey?.keyId);
    expect(keyIds.every((id) => id !== undefined)).toBe(true);
    expect(new Set(keyIds).size).toBe(30);

    for (const [i, sender] of senders.entries()) await sender.openSession('phone', 0, bundles[i]!);
    for (const [i, sender] of senders.entries()) {
      const { type, ciphertext } = await sender.encrypt('phone', 0, { conversation: `hello ${i}` });
      expect(type).toBe('pkmsg');
      const decrypted = await phone.decrypt(`sender${i}`, 1, type, ciphertext);
      expect(decrypted.conversation).toBe(`hello ${i}`);
    }
  });

  it('keeps a key handed out earlier usable after later bundles went out (a sender’s pkmsg comes late)', async () => {
    const phone = new SignalPeer();
    const sender = new SignalPeer();
    const unused = phone.takeBundle();
    const used = phone.takeBundle();
    expect(used.preKey?.keyId).not.toBe(unused.preKey?.keyId);
    await sender.openSession('phone', 0, unused);
    const { type, ciphertext } = await sender.encrypt('phone', 0, { conversation: 'late' });
    expect((await phone.decrypt('sender', 1, type, ciphertext)).conversation).toBe('late');
  });
});
