/**
 * The timer behind the credentials store's debounced write (`auth-state.ts`). Injectable so a test can fire the
 * debounce at a chosen moment (e.g. while a send is in flight) instead of waiting for wall-clock time.
 */
export interface DebounceTimer {
  /** Arms `fire` to run once after `ms`; returns a handle for `clear`. */
  set(fire: () => void, ms: number): unknown;
  /** Disarms a handle from `set` (a handle that already fired, or `undefined`, is ignored). */
  clear(handle: unknown): void;
}

export const realDebounceTimer: DebounceTimer = {
  set: (fire, ms) => setTimeout(fire, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout | undefined),
};
