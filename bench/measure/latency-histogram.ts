/**
 * Bucket width as a ratio: every bucket is 1% wider than the one before, so
 * a percentile read from the histogram is within 1% of the true sample.
 */
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);

/** Buckets from 1 µs up to about 1.01^2400 µs, far past any step's length. */
export const BUCKET_COUNT = 2400;

/**
 * Latencies in microseconds, counted in logarithmic buckets. Workers keep
 * one each and the main thread adds them up: a histogram merges exactly,
 * which lists of samples from several threads would do only at great cost.
 */
export class LatencyHistogram {
  readonly counts: Uint32Array;
  private maxMicros = 0;

  constructor(counts?: Uint32Array, maxMicros = 0) {
    this.counts = counts ?? new Uint32Array(BUCKET_COUNT);
    this.maxMicros = maxMicros;
  }

  /** Records one latency given in milliseconds. */
  record(ms: number): void {
    const micros = Math.max(1, ms * 1000);
    const bucket = Math.min(
      BUCKET_COUNT - 1,
      Math.floor(Math.log(micros) / LOG_GROWTH),
    );

    this.counts[bucket]++;
    if (micros > this.maxMicros) {
      this.maxMicros = micros;
    }
  }

  /** Adds another histogram's counts into this one. */
  add(other: LatencyHistogram): void {
    for (let i = 0; i < BUCKET_COUNT; i++) {
      this.counts[i] += other.counts[i];
    }
    this.maxMicros = Math.max(this.maxMicros, other.maxMicros);
  }

  get total(): number {
    let sum = 0;
    for (const count of this.counts) {
      sum += count;
    }

    return sum;
  }

  /** The largest latency seen, in milliseconds. */
  get maxMs(): number {
    return this.maxMicros / 1000;
  }

  /**
   * The latency in milliseconds below which `fraction` of the samples lie,
   * read as the middle of its bucket; 0 when there is no sample.
   */
  percentileMs(fraction: number): number {
    const total = this.total;
    if (total === 0) {
      return 0;
    }

    const rank = Math.ceil(fraction * total);
    let seen = 0;
    for (let i = 0; i < BUCKET_COUNT; i++) {
      seen += this.counts[i];
      if (seen >= rank) {
        const middle = GROWTH ** (i + 0.5) / 1000;
        return Math.min(middle, this.maxMs);
      }
    }

    return this.maxMs;
  }

  /** The parts a worker posts to the main thread. */
  toJSON(): { counts: Uint32Array; maxMicros: number } {
    return { counts: this.counts, maxMicros: this.maxMicros };
  }
}
