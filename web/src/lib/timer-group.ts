/**
 * Timers that belong together and are cancelled together, such as the
 * retries scheduled on one socket that must not fire on the next.
 */
export class TimerGroup {
  readonly #timers = new Set<number>();

  /** Runs `action` after `delay` ms unless the group is cleared first. */
  schedule(delay: number, action: () => void): void {
    const timer = window.setTimeout(() => {
      this.#timers.delete(timer);
      action();
    }, delay);
    this.#timers.add(timer);
  }

  /** Cancels every timer still waiting. */
  clear(): void {
    for (const timer of this.#timers) window.clearTimeout(timer);

    this.#timers.clear();
  }
}
