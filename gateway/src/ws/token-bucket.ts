/**
 * A token bucket: `ratePerSecond` tokens flow in, up to `burst` are kept,
 * and each frame takes one. A person typing never runs dry; a script that
 * floods does, and its excess frames are refused.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = monotonicNow,
  ) {
    this.tokens = burst;
    this.updatedAt = this.now();
  }

  /** Takes a token; false when none is left. */
  take(): boolean {
    const now = this.now();
    const refill = ((now - this.updatedAt) / 1000) * this.ratePerSecond;
    this.tokens = Math.min(this.burst, this.tokens + refill);
    this.updatedAt = now;

    if (this.tokens < 1) {
      return false;
    }

    this.tokens -= 1;
    return true;
  }
}

/** One clock for every bucket: a default arrow would be a closure each. */
function monotonicNow(): number {
  return performance.now();
}
