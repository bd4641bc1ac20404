import { afterAll, beforeAll, expect, it } from '@jest/globals';

import { postgresMigrations } from '../../gateway/src/store/postgres-migrations.js';
import { ClusterProcess } from '../support/cluster-process.js';
import { describeWithEngines } from '../support/engine-urls.js';
import { freePort } from '../support/free-port.js';
import { startTestBroker, type TestBroker } from '../support/test-broker.js';
import {
  createTestDatabase,
  queryTestDatabase,
  type TestDatabase,
} from '../support/test-database.js';
import { freshOutputDir } from '../support/test-output.js';

describeWithEngines('PostgreSQL migrations at start', ['postgres'], (urls) => {
  let database: TestDatabase;
  let broker: TestBroker;
  const gateways: ClusterProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(urls.postgres);
    broker = await startTestBroker();
  });

  afterAll(async () => {
    await Promise.all(gateways.map((gateway) => gateway.stop()));
    await broker?.close();
    await database?.drop();
  }, 30_000);

  it('brings up two gateways started at the same moment on an empty database', async () => {
    const logDir = freshOutputDir('postgres-migrations');
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      gateways.push(
        new ClusterProcess(
          `gateway-${port}`,
          'dist/gateway/src/main.js',
          {
            PORT: String(port),
            INSTANCE: `gateway-${port}`,
            BUS_URL: broker.url,
            DATABASE_URL: database.url,
          },
          logDir,
        ),
      );
    }

    await Promise.all(gateways.map((gateway) => gateway.start()));
    const versions = await queryTestDatabase<{ version: number }>(
      database.url,
      'SELECT version FROM schema_migrations ORDER BY version',
    );

    expect(gateways.every((gateway) => gateway.running)).toBe(true);
    expect(versions.map((row) => row.version)).toEqual(
      postgresMigrations.map((migration) => migration.version),
    );
  });

  it('starts again on the migrated database without applying anything', async () => {
    const [first] = gateways;

    await first.stop();
    await first.start();
    const rows = await queryTestDatabase<{ count: string }>(
      database.url,
      'SELECT count(*) AS count FROM schema_migrations',
    );

    expect(Number(rows[0]?.count)).toBe(postgresMigrations.length);
  });
});
