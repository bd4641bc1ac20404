/** One reading of an instance's rate; `null` while it was not known. */
export interface RatePoint {
  /** `Date.now()` of the reading. */
  readonly at: number;
  readonly value: number | null;
}

/** Readings by instance id, oldest first, each list within the window. */
export type RateHistory = Readonly<Record<string, readonly RatePoint[]>>;

/** How far back the cluster panel's charts look. */
export const RATE_WINDOW_MS = 60_000;

/**
 * The history with one reading per instance added and the readings older
 * than the window dropped. An instance missing from `readings` keeps its
 * points until they age out, so a card that vanished does not blank the
 * chart of the others. Returns a new object: views compare by identity.
 */
export function addReadings(
  history: RateHistory,
  readings: Readonly<Record<string, number | null>>,
  at: number,
  windowMs: number = RATE_WINDOW_MS,
): RateHistory {
  const since = at - windowMs;
  const next: Record<string, readonly RatePoint[]> = {};
  const ids = new Set([...Object.keys(history), ...Object.keys(readings)]);

  for (const id of ids) {
    const kept = (history[id] ?? []).filter((point) => point.at >= since);
    const added = id in readings ? [{ at, value: readings[id] ?? null }] : [];
    const points = [...kept, ...added];
    if (points.length > 0) next[id] = points;
  }

  return next;
}
