/**
 * Credential reads and writes of a login, against the keys a session has stored (issue #14, docs/benchmarks.md
 * "Realistic sessions"): a counting middleware on the host's own DynamoDB client records every call while the
 * host takes two linked sessions, one with no Signal keys and one with what a busy device holds (the 812 prekeys
 * Baileys uploads after pairing and Signal sessions with `CONTACTS` contacts). The keys are read lazily: the
 * login reads the few keys of the account's own devices, the same ones whatever is stored, and writes none of the
 * stored keys back, so taking over a busy account costs the credential calls of an empty one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BufferJSON, type AuthenticationCreds, type SignalDataSet } from '@whiskeysockets/baileys';
import { PREKEYS_AFTER_PAIRING, buildRealisticKeys } from '../../../bench/support/realistic-keys.js';
import { seedLinkedSession } from '../../../bench/support/seed-session.js';
import { newId } from '../../../shared/domain/ids.js';
import { provisionLinkedDevice } from '../../../simulator/provision.js';
import { DynamoCallLog, type DynamoCall } from '../../support/dynamo-call-log.js';
import { freshPhone, sessionNow, startHostWorld, until, type HostWorld } from './support.js';

/** Enough to tell "reads what it needs" from "reads what is stored"; building each costs an X3DH. */
const CONTACTS = 200;
/** How long the credentials table must hear nothing before a login's calls are taken as complete. */
const QUIET_MS = 1_500;

interface Login {
  readonly sessionId: string;
  /** Item keys the login asked the credentials table for (`creds`, `<type>#<id>`), one per item per call. */
  readonly read: string[];
  /**
   * Credential read calls (`GetItem`, `BatchGetItem`), the data key's included: printed, not asserted (how
   * Baileys' reads fall into calls varies with its timing; the items read do not).
   */
  readonly readCalls: number;
  /** Item keys written or deleted (fenced transactions), each once. */
  readonly written: Set<string>;
  /** Any other call on the credentials table (a `Query` of the partition would read every key at once). */
  readonly others: string[];
}

describe('credential calls of a login, by keys stored', () => {
  let world: HostWorld;
  let log: DynamoCallLog;
  let empty: string;
  let busy: string;
  let stored: Set<string>;

  beforeAll(async () => {
    world = await startHostWorld();
    const { prefix } = world.cloud.stack;
    log = new DynamoCallLog(prefix);
    const keys = await buildRealisticKeys(CONTACTS);
    stored = new Set(
      Object.entries(keys).flatMap(([type, entries]) =>
        Object.keys(entries ?? {}).map((id) => `${type}#${id}`),
      ),
    );
    empty = await seedLinkedSession(world.adapters, prefix, await linkedCreds(), newId());
    // As Baileys leaves the creds after uploading its prekeys: the next id follows the last one uploaded.
    const after = PREKEYS_AFTER_PAIRING + 1;
    busy = await seedLinkedSession(
      world.adapters,
      prefix,
      await linkedCreds({ nextPreKeyId: after, firstUnuploadedPreKeyId: after }),
      newId(),
      JSON.stringify(keys satisfies SignalDataSet, BufferJSON.replacer),
    );
  }, 180_000);
  afterAll(async () => {
    await world?.stop();
  });

  async function linkedCreds(update: Partial<AuthenticationCreds> = {}): Promise<string> {
    const linked = await provisionLinkedDevice(world.sim, freshPhone().slice(1));
    return JSON.stringify({ ...linked, ...update }, BufferJSON.replacer);
  }

  function loginOf(sessionId: string, calls: readonly DynamoCall[]): Login {
    const mine = calls.filter(
      (c) => c.parts.some((p) => p.endsWith('credentials')) && JSON.stringify(c.input).includes(sessionId),
    );
    const read: string[] = [];
    const written = new Set<string>();
    for (const call of mine) {
      const input = call.input as {
        Key?: { itemKey?: string };
        RequestItems?: Record<string, { Keys?: { itemKey?: string }[] }>;
        TransactItems?: Record<string, { Key?: { itemKey?: string }; Item?: { itemKey?: string } }>[];
      };
      if (input.Key?.itemKey !== undefined) read.push(input.Key.itemKey);
      for (const { Keys = [] } of Object.values(input.RequestItems ?? {}))
        for (const key of Keys) read.push(String(key.itemKey));
      for (const entry of input.TransactItems ?? [])
        for (const body of Object.values(entry)) {
          const itemKey = body.Item?.itemKey ?? body.Key?.itemKey;
          if (itemKey !== undefined) written.add(itemKey);
        }
    }
    const reads = ['GetItem', 'BatchGetItem'];
    const readCalls = mine.filter((c) => reads.includes(c.operation)).length;
    const others = mine
      .map((c) => c.operation)
      .filter((op) => !reads.includes(op) && op !== 'TransactWriteItems');
    return { sessionId, read, readCalls, written, others };
  }

  it('a busy session logs in with the reads of an empty one, and writes none of its stored keys', async () => {
    await world.startHost(
      {},
      { decorateAdapters: (adapters) => (log.attach(adapters.clients.dynamo), adapters) },
    );
    for (const id of [empty, busy]) {
      await until(
        () => sessionNow(world.adapters, id),
        (s) => s.status === 'connected',
        'the session connected',
        60_000,
      );
    }
    // Baileys goes on reading and writing keys a little after `connected` (the prekey check, its debounced key
    // write): wait until both wrote their creds and the credentials table has heard nothing new for a while.
    let seen = -1;
    let quietSince = Date.now();
    const logins = await until(
      () => {
        const calls = log.calls.filter((c) => c.parts.some((p) => p.endsWith('credentials'))).length;
        if (calls !== seen) [seen, quietSince] = [calls, Date.now()];
        return [loginOf(empty, log.calls), loginOf(busy, log.calls)] as const;
      },
      (both) => both.every((l) => l.written.has('creds')) && Date.now() - quietSince >= QUIET_MS,
      'the logins wrote their creds and went quiet',
    );
    const [plain, realistic] = logins;
    for (const l of logins) {
      console.log(
        `${l === plain ? 'empty' : `${stored.size} keys stored`}: ${l.readCalls} read calls, ` +
          `read ${l.read.join(' ')}; wrote ${[...l.written].join(' ')}`,
      );
    }
    const typesOf = (keys: Iterable<string>) => [...keys].map((k) => k.split('#')[0]).sort();
    // Reads: the data key, the creds, then what Baileys asks for while logging in (its own devices' identity
    // keys, sessions and LID mappings, the tc token index): no prekey range, no contact's session.
    const currentPreKey = `pre-key#${PREKEYS_AFTER_PAIRING}`;
    expect(typesOf(realistic.read.filter((k) => k !== currentPreKey))).toEqual(typesOf(plain.read));
    expect(realistic.read.filter((k) => stored.has(k))).toEqual(
      realistic.read.includes(currentPreKey) ? [currentPreKey] : [],
    );
    expect(realistic.others).toEqual([]);
    // Writes: the login's own key changes (LID mappings, its own devices' keys, the creds); none of the stored
    // keys is rewritten (no re-encryption, no migration) and no prekey is made (the server holds the 812), so the
    // bytes of a login do not grow with the contacts.
    expect([...realistic.written].filter((k) => stored.has(k))).toEqual([]);
    expect(typesOf(realistic.written).filter((t) => t === 'pre-key')).toEqual([]);
  }, 180_000);
});
