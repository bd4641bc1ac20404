import type { Pool } from 'pg';

import type { Logger } from '../logging/logger.js';
import type { PostgresMigration } from './migrations/postgres/postgres-migration.js';

/**
 * Key of the advisory lock that migrations hold: "chat" in ASCII. Advisory
 * locks are per database, so clusters on other databases never wait.
 */
const MIGRATION_LOCK_KEY = 0x63686174;

/**
 * Brings the schema up to date in one transaction. Gateways that start
 * together against an empty database queue on a transaction-level advisory
 * lock taken before anything else, even before `schema_migrations` exists:
 * two concurrent `CREATE TABLE IF NOT EXISTS` of one table can both miss it
 * and one then fails. The first applies every version; the others find
 * them recorded. The lock ends with the transaction, however it ends.
 */
export async function migratePostgres(
  pool: Pool,
  migrations: readonly PostgresMigration[],
  logger: Logger,
): Promise<void> {
  const client = await pool.connect();
  let failure: unknown;

  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [
      MIGRATION_LOCK_KEY,
    ]);
    await client.query(`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version    integer PRIMARY KEY,
        name       text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )
    `);

    const { rows } = await client.query<{ version: number }>(
      'SELECT version FROM schema_migrations',
    );
    const applied = new Set(rows.map((row) => row.version));

    for (const migration of migrations) {
      if (applied.has(migration.version)) {
        continue;
      }

      await client.query(migration.sql);
      await client.query(
        'INSERT INTO schema_migrations (version, name) VALUES ($1, $2)',
        [migration.version, migration.name],
      );
      logger.info(
        { version: migration.version, name: migration.name },
        'applied a schema migration',
      );
    }

    await client.query('COMMIT');
  } catch (err) {
    failure = err;
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    // A client that failed is closed rather than handed to the next user.
    client.release(failure !== undefined);
  }
}
