import { EventEmitter } from 'node:events';
import type { WASocket } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { SessionLidMap } from '../../../../session-host/compat/lid-map.js';
import { inboundParties } from '../../../../session-host/compat/lid-sender.js';
import type { LidPhonePair } from '../../../../shared/domain/contact-id.js';
import type { LidMappingRepository } from '../../../../shared/ports/lid-mapping-repository.js';

/** The port in memory (the DynamoDB adapter has its own test); `failing` makes every call throw. */
class MemoryLidMappings implements LidMappingRepository {
  readonly pairs: LidPhonePair[] = [];
  failing = false;
  async record(_sessionId: string, pairs: readonly LidPhonePair[]): Promise<void> {
    if (this.failing) throw new Error('dynamodb down');
    this.pairs.push(...pairs);
  }
  async lidFor(_sessionId: string, phone: string): Promise<string | null> {
    if (this.failing) throw new Error('dynamodb down');
    return this.pairs.findLast((p) => p.phone === phone)?.lid ?? null;
  }
  async phoneFor(_sessionId: string, lid: string): Promise<string | null> {
    if (this.failing) throw new Error('dynamodb down');
    return this.pairs.findLast((p) => p.lid === lid)?.phone ?? null;
  }
}

/** Just what the map touches of a socket: its events and Baileys' own LID store (empty here). */
const socketStub = (): WASocket =>
  ({
    ev: new EventEmitter(),
    signalRepository: { lidMapping: { getLIDForPN: async () => null, getPNForLID: async () => null } },
  }) as unknown as WASocket;

const setUp = () => {
  const repo = new MemoryLidMappings();
  const warnings: string[] = [];
  const quiet = () => undefined;
  const log = { debug: quiet, info: quiet, warn: (m: string) => warnings.push(m), error: quiet };
  const map = new SessionLidMap(repo, { sessionId: 's1', socket: socketStub() }, log);
  return { repo, warnings, map };
};

describe('inboundParties: who sent a message after the LID migration', () => {
  it('a LID-addressed stanza with sender_pn: both ids, the phone-number chat, and the pair learned', async () => {
    const { repo, map } = setUp();
    const parties = await inboundParties(map, {
      remoteJid: '201234567890123@lid',
      remoteJidAlt: '15551234567@s.whatsapp.net',
      id: 'A',
    });
    expect(parties).toEqual({
      chatJid: '15551234567@s.whatsapp.net',
      senderJid: '201234567890123@lid',
      from: { phone: '+15551234567', lid: '201234567890123' },
    });
    expect(repo.pairs).toEqual([{ lid: '201234567890123', phone: '+15551234567' }]);
  });

  it('a LID-only sender (number hidden): from {lid} and the LID chat; later stanzas find the learned number', async () => {
    const { map } = setUp();
    expect(await inboundParties(map, { remoteJid: '201234567890124:3@lid', id: 'B' })).toEqual({
      chatJid: '201234567890124@lid',
      senderJid: '201234567890124@lid',
      from: { lid: '201234567890124' },
    });
    await map.learn([{ lid: '201234567890124@lid', pn: '15551234568@s.whatsapp.net' }]);
    expect((await inboundParties(map, { remoteJid: '201234567890124@lid', id: 'C' })).from).toEqual({
      phone: '+15551234568',
      lid: '201234567890124',
    });
  });

  it('a group participant by LID with participantAlt; a storage failure is logged and never thrown', async () => {
    const { repo, warnings, map } = setUp();
    repo.failing = true;
    const parties = await inboundParties(map, {
      remoteJid: '1203630@g.us',
      participant: '201234567890125@lid',
      participantAlt: '15551234569@s.whatsapp.net',
      id: 'D',
    });
    expect(parties).toEqual({
      chatJid: '1203630@g.us',
      senderJid: '201234567890125@lid',
      from: { phone: '+15551234569', lid: '201234567890125' },
    });
    expect(await map.lidFor('+15550000000', { lookup: true })).toBeNull();
    expect(warnings).toEqual(['lid mappings not stored', 'lid mapping not read']);
  });
});
