/**
 * Polls `condition` every 20 ms until it holds; fails after `timeoutMs`.
 * Bounded, so a test that waits for a health change cannot hang.
 */
export async function waitFor(
  condition: () => boolean,
  what: string,
  timeoutMs = 3000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;

  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
