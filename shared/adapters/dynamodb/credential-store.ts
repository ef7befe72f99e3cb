/**
 * Credentials table (`credentials`: partition `sessionId`, sort `itemKey`), one item per Baileys key
 * (docs/credentials-and-commands.md, "Credential items"):
 * - `itemKey` `creds` (the creds object) or `<type>#<id>` (a Signal key), attribute `v` (B): the value sealed by
 *   `CredentialItemCipher` under the session's data key, bound to session, type and id;
 * - `itemKey` `dataKey`: that data key wrapped by the `DataKeyProvider` (KMS on AWS) with the EncryptionContext
 *   `{"wa:credentials": sessionId}`; unwrapped once when the host opens the session, kept until it closes it.
 *
 * Every write is a `TransactWriteItems` whose first entry is a `ConditionCheck` on the session's item
 * (`owner = this host AND leaseEpoch = this tenure`): a host that lost the lease, even one that got it back
 * later, can never write. At most 100 entries per transaction (DynamoDB's limit), so large changes (the first
 * prekey upload, a migration) take several, each fenced; a joined part (the message's `sending -> sent`) rides
 * in the last one.
 */
import { setTimeout as pause } from 'node:timers/promises';
import { BatchGetCommand, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { CredentialItemCipher } from '../../crypto/credential-item-cipher.js';
import { DecryptionError } from '../../crypto/envelope.js';
import {
  CREDS_TYPE,
  CredentialsFencedError,
  type CredentialChange,
  type CredentialFence,
  type CredentialKey,
  type CredentialStore,
  type CredentialValue,
  type CredentialWriteResult,
  type SessionCredentials,
} from '../../ports/credential-store.js';
import {
  DATA_KEY_PROVIDER_IDS,
  DataKeyRejectedError,
  type DataKeyProvider,
} from '../../ports/data-key-provider.js';
import type { TransactionPart } from '../../ports/transaction-part.js';
import { DynamoSessionRecordsEraser } from './session-records-eraser.js';
import { cancellationCodes, tableName, type DynamoContext, type Item } from './items.js';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** DynamoDB's cap on entries per transaction, the fence included. */
export const MAX_TRANSACTION_ITEMS = 100;
const MAX_BATCH_GET = 100;
const MAX_UNPROCESSED_ROUNDS = 8;
/** Another transaction on the same items (two flushes racing): a short pause, then again. */
const MAX_CONFLICT_ATTEMPTS = 5;
export const DATA_KEY_ITEM = 'dataKey';
export const CREDENTIALS_CONTEXT_KEY = 'wa:credentials';

/** `creds`, or `<type>#<id>`: Baileys' types never hold `#`, so the first one splits the key again. */
export function credentialItemKey(key: CredentialKey): string {
  return key.type === CREDS_TYPE ? CREDS_TYPE : `${key.type}#${key.id}`;
}

export interface DynamoCredentialStoreOptions {
  readonly ctx: DynamoContext;
  readonly provider: DataKeyProvider;
}

export class DynamoCredentialStore implements CredentialStore {
  private readonly table: string;

  constructor(private readonly options: DynamoCredentialStoreOptions) {
    this.table = tableName(options.ctx, 'credentials');
  }

  async open(sessionId: string, fence: CredentialFence): Promise<SessionCredentials> {
    const { ctx, provider } = this.options;
    const context = { [CREDENTIALS_CONTEXT_KEY]: sessionId };
    const stored = await ctx.dynamo.send(
      new GetCommand({
        TableName: this.table,
        Key: { sessionId, itemKey: DATA_KEY_ITEM },
        ConsistentRead: true,
      }),
    );
    const identity = `credentials ${sessionId}/${DATA_KEY_ITEM}`;
    let plaintext: Buffer;
    if (stored.Item) {
      const wrapped = stored.Item['wrapped'];
      if (!(wrapped instanceof Uint8Array)) throw new DecryptionError(identity, 'unknown-format');
      if (stored.Item['provider'] !== DATA_KEY_PROVIDER_IDS[provider.name]) {
        throw new DecryptionError(
          identity,
          'provider-mismatch',
          `provider id ${String(stored.Item['provider'])}`,
        );
      }
      try {
        plaintext = await provider.decryptDataKey(Buffer.from(wrapped), context);
      } catch (error) {
        if (error instanceof DataKeyRejectedError) {
          throw new DecryptionError(identity, 'wrapped-key-rejected', undefined, { cause: error });
        }
        throw error; // KMS unreachable, throttled: the caller retries later
      }
    } else {
      const made = await provider.generateDataKey(context);
      plaintext = made.plaintext;
      const session = new DynamoSessionCredentials(this.options.ctx, this.table, sessionId, fence, undefined);
      // Fenced like every write; a key made by a racing open of the same tenure is never replaced (that open's
      // transaction is cancelled and its caller retries the claim later).
      await session
        .transact([
          {
            Put: {
              TableName: this.table,
              Item: {
                sessionId,
                itemKey: DATA_KEY_ITEM,
                wrapped: made.wrapped,
                provider: DATA_KEY_PROVIDER_IDS[provider.name],
              },
              ConditionExpression: 'attribute_not_exists(itemKey)',
            },
          },
        ])
        .catch((error: unknown) => {
          plaintext.fill(0);
          throw error;
        });
    }
    try {
      return new DynamoSessionCredentials(
        this.options.ctx,
        this.table,
        sessionId,
        fence,
        new CredentialItemCipher(plaintext),
      );
    } finally {
      plaintext.fill(0);
    }
  }

  async erase(sessionId: string): Promise<{ readonly items: number }> {
    return { items: await new DynamoSessionRecordsEraser(this.options.ctx).eraseCredentials(sessionId) };
  }
}

class DynamoSessionCredentials implements SessionCredentials {
  constructor(
    private readonly ctx: DynamoContext,
    private readonly table: string,
    readonly sessionId: string,
    private readonly fence: CredentialFence,
    private readonly cipher: CredentialItemCipher | undefined,
  ) {}

  async read(keys: readonly CredentialKey[]): Promise<CredentialValue[]> {
    const cipher = this.#cipher();
    const byItemKey = new Map(keys.map((k) => [credentialItemKey(k), k]));
    const out: CredentialValue[] = [];
    const all = [...byItemKey.keys()];
    for (let i = 0; i < all.length; i += MAX_BATCH_GET) {
      for (const item of await this.batchGet(all.slice(i, i + MAX_BATCH_GET))) {
        const key = byItemKey.get(String(item['itemKey']));
        const sealed = item['v'];
        if (!key) continue;
        if (!(sealed instanceof Uint8Array)) {
          throw new DecryptionError(`credentials ${this.sessionId}/${key.type}`, 'unknown-format');
        }
        out.push({
          type: key.type,
          id: key.id,
          value: cipher.open({ sessionId: this.sessionId, ...key }, sealed),
        });
      }
    }
    return out;
  }

  async write(changes: readonly CredentialChange[], part?: TransactionPart): Promise<CredentialWriteResult> {
    const cipher = this.#cipher();
    let bytes = 0;
    const entries: TransactItem[] = changes.map((change) => {
      const itemKey = credentialItemKey(change);
      const Key = { sessionId: this.sessionId, itemKey };
      if (change.value === null) return { Delete: { TableName: this.table, Key } };
      const v = cipher.seal({ sessionId: this.sessionId, type: change.type, id: change.id }, change.value);
      // DynamoDB's own item size: attribute names plus values.
      bytes += 'sessionId'.length + this.sessionId.length + 'itemKey'.length + itemKey.length + 1 + v.length;
      return { Put: { TableName: this.table, Item: { ...Key, v } } };
    });
    const perTransaction = MAX_TRANSACTION_ITEMS - 1;
    const chunks: TransactItem[][] = [];
    for (let i = 0; i < entries.length; i += perTransaction)
      chunks.push(entries.slice(i, i + perTransaction));
    const last = chunks.at(-1);
    const joined = part ? ([part.item, ...(part.with ?? [])] as TransactItem[]) : [];
    // The part lands with the last changes, or alone with the fence: never before every change is durable.
    if (part && (!last || last.length + joined.length > perTransaction)) chunks.push([]);
    let applied: boolean | undefined;
    for (const [index, chunk] of chunks.entries()) {
      applied = await this.transact(chunk, index === chunks.length - 1 ? joined : []);
    }
    return { bytes, transactions: chunks.length, ...(part ? { part: { applied: applied ?? false } } : {}) };
  }

  close(): void {
    this.cipher?.destroy();
  }

  /**
   * One fenced transaction. Returns whether `joined` (a part's item, then the entries that go with it) went in:
   * when only the part's own condition refused it, the changes are written again without any of `joined` (a
   * receipt may have moved the message past `sent` meanwhile).
   */
  async transact(entries: readonly TransactItem[], joined: readonly TransactItem[] = []): Promise<boolean> {
    const fence: TransactItem = {
      ConditionCheck: {
        TableName: tableName(this.ctx, 'sessions'),
        Key: { sessionId: this.sessionId },
        ConditionExpression: '#owner = :host AND leaseEpoch = :epoch',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':host': this.fence.hostId, ':epoch': this.fence.leaseEpoch },
      },
    };
    let withJoined = joined.length > 0;
    for (let attempt = 1; ; attempt++) {
      const items = [fence, ...entries, ...(withJoined ? joined : [])];
      try {
        await this.ctx.dynamo.send(new TransactWriteCommand({ TransactItems: items }));
        return withJoined;
      } catch (error) {
        const codes = cancellationCodes(error);
        if (codes.length === 0) throw error;
        if (codes[0] === 'ConditionalCheckFailed')
          throw new CredentialsFencedError(this.sessionId, this.fence.hostId);
        if (withJoined && codes[1 + entries.length] === 'ConditionalCheckFailed') {
          withJoined = false;
          if (entries.length === 0) return false;
          continue;
        }
        if (codes.includes('TransactionConflict') && attempt < MAX_CONFLICT_ATTEMPTS) {
          await pause(5 + Math.random() * 20 * attempt);
          continue;
        }
        throw error;
      }
    }
  }

  private async batchGet(itemKeys: readonly string[]): Promise<Item[]> {
    let keys: Item[] = itemKeys.map((itemKey) => ({ sessionId: this.sessionId, itemKey }));
    const found: Item[] = [];
    for (let round = 0; keys.length > 0; round++) {
      if (round >= MAX_UNPROCESSED_ROUNDS)
        throw new Error(`could not read ${keys.length} credential item(s)`);
      if (round > 0) await pause(20 * 2 ** round);
      const out = await this.ctx.dynamo.send(
        new BatchGetCommand({
          RequestItems: {
            [this.table]: { Keys: keys, ConsistentRead: true, ProjectionExpression: 'itemKey, v' },
          },
        }),
      );
      found.push(...(out.Responses?.[this.table] ?? []));
      keys = out.UnprocessedKeys?.[this.table]?.Keys ?? [];
    }
    return found;
  }

  #cipher(): CredentialItemCipher {
    if (!this.cipher) throw new Error('credentials opened for writing the data key only');
    return this.cipher;
  }
}
