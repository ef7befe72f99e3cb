/**
 * Number checks kept per session (`POST /v1/sessions/{id}/contacts/check`): what WhatsApp answered for each
 * phone, for a day, and the session's daily count of numbers asked of WhatsApp.
 */
import type { ContactCheckResult } from '../contracts/host-request.js';

export interface CachedContactCheck extends ContactCheckResult {
  /** When WhatsApp answered it. */
  readonly checkedAt: string;
}

export interface ContactCheckCache {
  /** The unexpired answers among `phones` (missing phones are simply absent). */
  getMany(sessionId: string, phones: readonly string[]): Promise<CachedContactCheck[]>;
  putMany(sessionId: string, results: readonly CachedContactCheck[], ttlSeconds: number): Promise<void>;
}

export interface DailyQuota {
  /**
   * Adds `count` to the bucket's total for the UTC day of `now` unless that would pass `limit`; returns the
   * total after the addition, or null (nothing added) when it would pass.
   */
  take(bucket: string, count: number, limit: number, now: number): Promise<number | null>;
}
