/** How long a client waits between reconnect attempts. */
export interface BackoffPolicy {
  /** Ceiling of the first delay, in milliseconds. */
  baseMs: number;
  /** The ceiling never grows past this, in milliseconds. */
  capMs: number;
}

/** The policy the chat socket reconnects with. */
export const RECONNECT_BACKOFF: BackoffPolicy = { baseMs: 500, capMs: 10_000 };

/**
 * The delay before reconnect attempt `attempt` (0 for the first retry).
 *
 * Full jitter: a uniform draw between zero and an exponential ceiling. When
 * a gateway restarts, every tab it held loses its socket in the same
 * instant; spreading the retries keeps them from landing on the balancer
 * together.
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy = RECONNECT_BACKOFF,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** attempt);

  return Math.floor(random() * ceiling);
}
