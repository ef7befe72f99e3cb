/**
 * The sliding one-minute window of the rate limits (shared/services/rate-limit.ts explains the scheme): cut into
 * slices, each hit counted in its own slice's total and the totals of the slices after it.
 */

export const RATE_WINDOW_MS = 60_000;
/** Slices per window: the finer, the closer the lookback stays to one minute (it is 60 to 70 s). */
export const RATE_WINDOW_SLICES = 6;

export interface RateWindow {
  /** Index of the slice `now` falls in (epoch ms divided by the slice length). */
  readonly slice: number;
  readonly sliceMs: number;
  /** Whole slices counted before the current one. */
  readonly lookback: number;
}

export function slidingWindow(
  now: number,
  windowMs: number = RATE_WINDOW_MS,
  slices: number = RATE_WINDOW_SLICES,
): RateWindow {
  const sliceMs = windowMs / slices;
  return { slice: Math.floor(now / sliceMs), sliceMs, lookback: slices };
}

/** Epoch ms when slice `slice + offset` starts. */
export const sliceStart = (window: RateWindow, offset: number): number =>
  (window.slice + offset) * window.sliceMs;
