/**
 * How long a statement keeps trying for a lock another process holds; as
 * long as SQLite's own busy_timeout used to wait.
 */
const LOCK_WAIT_MS = 5000;

/** Pause between two tries: another writer's transaction is that short. */
const RETRY_MS = 1;

/**
 * Runs `fn`, and while SQLite answers SQLITE_BUSY (another process of the
 * cluster holds the write lock) tries again a moment later. SQLite's own
 * busy handler sleeps inside the call, and a sleep in better-sqlite3
 * stops the whole event loop: every member of the instance waits on one
 * writer, in steps of 1, 2, 5, 10 ms and more. Waiting here keeps the
 * instance delivering meanwhile.
 */
export async function whenNotBusy<T>(fn: () => T): Promise<T> {
  const deadline = performance.now() + LOCK_WAIT_MS;

  for (;;) {
    try {
      return fn();
    } catch (err) {
      if (!isBusy(err) || performance.now() > deadline) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}

/** Whether an error is SQLite's "database is locked". */
export function isBusy(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === 'SQLITE_BUSY';
}
