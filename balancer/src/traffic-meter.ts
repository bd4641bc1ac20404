/** The running totals one `/readyz` answer reports. */
export interface TrafficTotals {
  readonly messagesAccepted: number;
  readonly deliveries: number;
}

/** Per-second rates over the last few answers. */
export interface TrafficRates {
  readonly messagesPerSecond: number;
  readonly deliveriesPerSecond: number;
}

interface Sample extends TrafficTotals {
  readonly at: number;
}

/**
 * How far back the rates look. Between two probes only a second apart a
 * burst shows as a spike that a viewer polling once a second can miss;
 * a few seconds smooth it and still follow a change quickly.
 */
const RATE_WINDOW_MS = 3000;

/** Samples kept at most, whatever the probe interval. */
const MAX_SAMPLES = 64;

/**
 * Turns the running totals of successive readiness answers into rates,
 * averaged over the last RATE_WINDOW_MS. A rate needs two answers from
 * the same process: a total that went down is a restarted gateway
 * counting from zero again, and a pair across the restart means nothing.
 */
export class TrafficMeter {
  private samples: Sample[] = [];

  /** The rates over the kept samples, or `null` while unknown. */
  get rates(): TrafficRates | null {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.at <= first.at) return null;

    const seconds = (last.at - first.at) / 1000;
    return {
      messagesPerSecond: rate(last, first, 'messagesAccepted', seconds),
      deliveriesPerSecond: rate(last, first, 'deliveries', seconds),
    };
  }

  /** Takes the totals of one answer, read at `at` (epoch ms). */
  record(totals: TrafficTotals, at: number): void {
    const previous = this.samples.at(-1);
    if (previous && (at < previous.at || restarted(previous, totals))) {
      this.samples = [];
    }

    this.samples.push({ ...totals, at });

    // The oldest sample kept is the newest one at least a window old, so
    // the average always spans the whole window once it can.
    const since = at - RATE_WINDOW_MS;
    while (this.samples.length > 2 && this.samples[1].at <= since) {
      this.samples.shift();
    }
    if (this.samples.length > MAX_SAMPLES) this.samples.shift();
  }

  /** Forgets everything: the instance stopped answering. */
  clear(): void {
    this.samples = [];
  }
}

function restarted(previous: TrafficTotals, totals: TrafficTotals): boolean {
  return (
    totals.messagesAccepted < previous.messagesAccepted ||
    totals.deliveries < previous.deliveries
  );
}

/** Per second, to two decimals: more would claim a precision it lacks. */
function rate(
  last: Sample,
  first: Sample,
  field: keyof TrafficTotals,
  seconds: number,
): number {
  return Math.round(((last[field] - first[field]) / seconds) * 100) / 100;
}
