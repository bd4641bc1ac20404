import { machineBusyMs } from './process-usage.js';

/** How long one look at the machine's load lasts. */
const WINDOW_MS = 500;

/**
 * Waits, at most `maxWaitMs`, until the whole machine uses less than
 * `maxCores` over a short window, and says how busy it was at the end.
 * The bench cannot stop other work on a shared machine; it can avoid
 * starting a step in the middle of someone's burst, and report the rest.
 */
export async function waitForQuietMachine(
  maxCores: number,
  maxWaitMs: number,
): Promise<{ waitedMs: number; cores: number }> {
  const started = performance.now();
  let cores: number;

  do {
    const before = machineBusyMs();
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
    cores = (machineBusyMs() - before) / WINDOW_MS;
    if (cores < maxCores) break;
  } while (performance.now() - started < maxWaitMs);

  return { waitedMs: performance.now() - started, cores };
}
