/** The running totals one `/readyz` answer reports. */
export interface TrafficTotals {
  readonly messagesAccepted: number;
  readonly deliveries: number;
}

/** Per-second rates between two answers. */
export interface TrafficRates {
  readonly messagesPerSecond: number;
  readonly deliveriesPerSecond: number;
}

interface Sample extends TrafficTotals {
  readonly at: number;
}

/**
 * Turns the running totals of successive readiness answers into rates.
 * A rate needs two answers from the same process: a total that went down
 * is a restarted gateway counting from zero again, and the pair across
 * the restart means nothing.
 */
export class TrafficMeter {
  private last: Sample | undefined;

  private current: TrafficRates | null = null;

  /** The rates between the last two samples, or `null` while unknown. */
  get rates(): TrafficRates | null {
    return this.current;
  }

  /** Takes the totals of one answer, read at `at` (epoch ms). */
  record(totals: TrafficTotals, at: number): void {
    const previous = this.last;
    this.last = { ...totals, at };

    if (!previous || at <= previous.at || restarted(previous, totals)) {
      this.current = null;
      return;
    }

    const seconds = (at - previous.at) / 1000;
    this.current = {
      messagesPerSecond: rate(
        totals.messagesAccepted,
        previous.messagesAccepted,
        seconds,
      ),
      deliveriesPerSecond: rate(
        totals.deliveries,
        previous.deliveries,
        seconds,
      ),
    };
  }

  /** Forgets everything: the instance stopped answering. */
  clear(): void {
    this.last = undefined;
    this.current = null;
  }
}

function restarted(previous: TrafficTotals, totals: TrafficTotals): boolean {
  return (
    totals.messagesAccepted < previous.messagesAccepted ||
    totals.deliveries < previous.deliveries
  );
}

/** Per second, to two decimals: more would claim a precision it lacks. */
function rate(total: number, before: number, seconds: number): number {
  return Math.round(((total - before) / seconds) * 100) / 100;
}
