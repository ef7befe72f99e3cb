/**
 * A write one repository hands to another so both land in ONE transaction of the same store (issue #14: a send's
 * key changes, its `sending -> sent` move and the lease fence in one `TransactWriteItems`). The repository that
 * owns the item builds the part (it knows the table, the key and the condition that keeps its invariants); the
 * repository that runs the transaction only places it. A part is opaque to everyone else.
 */

export interface TransactionPart {
  /** The store whose transaction the part can join; a part never crosses stores. */
  readonly store: 'dynamodb';
  /** One `TransactWriteItems` entry in the document client's shape (`Put`, `Update`, `Delete`, `ConditionCheck`). */
  readonly item: Readonly<Record<string, unknown>>;
  /**
   * Entries that go in only together with `item`, and are dropped with it when its condition refuses it. They
   * carry no condition of their own (the event outbox item of the move `item` makes).
   */
  readonly with?: readonly Readonly<Record<string, unknown>>[];
}

/** What became of a part: `false` when its own condition refused it (the rest of the transaction still went in). */
export interface TransactionPartOutcome {
  readonly applied: boolean;
}
