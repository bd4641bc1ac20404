import { randomBytes } from 'node:crypto';

import pg from 'pg';

/** A PostgreSQL database that one test run created and will drop. */
export interface TestDatabase {
  name: string;
  url: string;
  /** Drops this database, and only this one. */
  drop(): Promise<void>;
}

/**
 * Creates an empty database with a random name on the server of
 * `adminUrl` (a URL of its `postgres` database), so that runs sharing the
 * server never see each other's rows.
 */
export async function createTestDatabase(
  adminUrl: string,
): Promise<TestDatabase> {
  const name = `chat_test_${randomBytes(6).toString('hex')}`;
  await runAdmin(adminUrl, `CREATE DATABASE ${name}`);

  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped = false;

  return {
    name,
    url: url.toString(),
    drop: async () => {
      if (dropped) {
        return;
      }
      dropped = true;
      // FORCE ends the connections a killed gateway may have left behind.
      await runAdmin(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

async function runAdmin(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({
    connectionString: adminUrl,
    connectionTimeoutMillis: 5000,
  });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Runs one query on a test database and returns its rows. */
export async function queryTestDatabase<R extends pg.QueryResultRow>(
  url: string,
  sql: string,
): Promise<R[]> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: 5000,
  });
  await client.connect();
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
}
