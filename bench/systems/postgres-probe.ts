import pg from 'pg';

/**
 * The `postgres` database of the machine's PostgreSQL, as the engine
 * suites' TEST_POSTGRES_URL names it: the bench creates a database of its
 * own there and drops it when the system stops.
 */
export const POSTGRES_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** Whether PostgreSQL answers `SELECT 1` at `url` within `timeoutMs`. */
export async function postgresAnswers(
  url = POSTGRES_ADMIN_URL,
  timeoutMs = 2000,
): Promise<boolean> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
  });
  // A refused or dropped connection is an answer of "no", not a crash.
  client.on('error', () => undefined);

  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
