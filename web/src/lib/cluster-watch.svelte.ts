import {
  CLUSTER_PATH,
  type ClusterReport,
  type InstanceReport,
  type InstanceState,
} from '$protocol';
import { addReadings, type RateHistory } from './rate-history';

/** Pause between the end of one poll and the start of the next. */
const POLL_EVERY_MS = 1000;

/** A poll that takes longer is given up and counts as a failure. */
const POLL_TIMEOUT_MS = 2500;

/** State changes kept for the panel's list. */
const MAX_CHANGES = 6;

/** An instance that changed state between two polls. */
export interface StateChange {
  readonly key: number;
  /** `Date.now()` of the poll that saw it. */
  readonly at: number;
  readonly instance: string;
  readonly from: InstanceState;
  readonly to: InstanceState;
}

/** The name a person reads for an instance: its own, else its address. */
export function instanceName(instance: InstanceReport): string {
  return instance.server ?? instance.id;
}

/**
 * Polls the balancer's `/api/cluster` once a second while it runs and the
 * tab is visible: a hidden tab asks nothing, and asks at once when it is
 * shown again. Keeps the last report, the last minute of each instance's
 * messages per second, and the latest state changes. Every field is
 * reactive.
 */
export class ClusterWatch {
  report: ClusterReport | null = $state.raw(null);
  /** The last poll failed: the balancer itself is unreachable. */
  failed = $state(false);
  rates: RateHistory = $state.raw({});
  changes: readonly StateChange[] = $state.raw([]);
  /** `Date.now()` of the last report: the right edge of the charts. */
  polledAt = $state(0);

  #running = false;
  #timer: number | undefined;
  #aborter: AbortController | undefined;
  #changeCount = 0;

  /** Starts polling; stop() ends it. */
  start(): void {
    if (this.#running) return;

    this.#running = true;
    document.addEventListener('visibilitychange', this.#onVisibility);
    this.#schedule(0);
  }

  stop(): void {
    this.#running = false;
    document.removeEventListener('visibilitychange', this.#onVisibility);
    this.#pause();
  }

  /** Polls now rather than at the next tick, after a demo action say. */
  refresh(): void {
    if (!this.#running || document.hidden) return;

    this.#pause();
    this.#schedule(0);
  }

  #schedule(delay: number): void {
    window.clearTimeout(this.#timer);
    this.#timer = window.setTimeout(() => void this.#poll(), delay);
  }

  #pause(): void {
    window.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#aborter?.abort();
    this.#aborter = undefined;
  }

  async #poll(): Promise<void> {
    const aborter = new AbortController();
    this.#aborter = aborter;
    const timeout = window.setTimeout(() => aborter.abort(), POLL_TIMEOUT_MS);

    try {
      const response = await fetch(CLUSTER_PATH, {
        cache: 'no-store',
        signal: aborter.signal,
      });
      if (!response.ok) throw new Error(`status ${response.status}`);

      this.#take((await response.json()) as ClusterReport, Date.now());
      this.failed = false;
    } catch {
      // A poll aborted by a pause says nothing about the balancer.
      if (aborter.signal.aborted && this.#aborter !== aborter) return;

      this.failed = true;
    } finally {
      window.clearTimeout(timeout);
    }

    if (this.#aborter !== aborter) return;

    this.#aborter = undefined;
    if (this.#running && !document.hidden) this.#schedule(POLL_EVERY_MS);
  }

  #take(report: ClusterReport, at: number): void {
    const previous = this.report;
    this.report = report;
    this.polledAt = at;

    const readings: Record<string, number | null> = {};
    for (const instance of report.instances) {
      readings[instance.id] = instance.messagesPerSecond ?? null;
    }
    this.rates = addReadings(this.rates, readings, at);

    if (previous !== null) this.#noteChanges(previous, report, at);
  }

  #noteChanges(before: ClusterReport, after: ClusterReport, at: number): void {
    const fresh: StateChange[] = [];
    for (const instance of after.instances) {
      const was = before.instances.find(({ id }) => id === instance.id);
      if (was === undefined || was.state === instance.state) continue;

      this.#changeCount += 1;
      fresh.push({
        key: this.#changeCount,
        at,
        instance: instanceName(instance),
        from: was.state,
        to: instance.state,
      });
    }

    if (fresh.length > 0) {
      this.changes = [...fresh.reverse(), ...this.changes].slice(
        0,
        MAX_CHANGES,
      );
    }
  }

  readonly #onVisibility = (): void => {
    if (document.hidden) {
      this.#pause();
      return;
    }

    if (this.#running) this.#schedule(0);
  };
}
