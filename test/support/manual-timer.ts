/**
 * A `DebounceTimer` (session-host/debounce-timer.ts) that never fires by itself: the test fires what is armed at
 * the moment it chooses (`fireAll`), so a debounce coming due at a precise point needs no wall-clock wait.
 */
import type { DebounceTimer } from '../../session-host/debounce-timer.js';

export class ManualTimer implements DebounceTimer {
  readonly #armed = new Map<number, () => void>();
  #next = 1;
  /** How many armed callbacks `fireAll` has run so far. */
  fired = 0;

  set(fire: () => void): number {
    const handle = this.#next++;
    this.#armed.set(handle, fire);
    return handle;
  }

  clear(handle: unknown): void {
    if (typeof handle === 'number') this.#armed.delete(handle);
  }

  get armed(): number {
    return this.#armed.size;
  }

  /** Runs every armed callback once (each disarmed first, as a real timer is once it fires). */
  fireAll(): number {
    const due = [...this.#armed.values()];
    this.#armed.clear();
    for (const fire of due) fire();
    this.fired += due.length;
    return due.length;
  }
}
