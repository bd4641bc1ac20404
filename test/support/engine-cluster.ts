import { createTestDatabase } from './test-database.js';
import { startTestCluster, type TestCluster } from './test-cluster.js';

/**
 * A test cluster on the shared servers: its own new PostgreSQL database
 * (created from `postgresUrl`, the server's `postgres` database, and
 * dropped when the cluster stops), the external bus of `busUrl` behind a
 * relay of the test's own, and a random bus prefix.
 */
export async function startEngineCluster(
  name: string,
  options: {
    postgresUrl: string;
    busUrl: string;
    env?: Record<string, string>;
  },
): Promise<TestCluster> {
  const database = await createTestDatabase(options.postgresUrl);

  let cluster: TestCluster;
  try {
    cluster = await startTestCluster(name, {
      busUrl: options.busUrl,
      relayBus: true,
      env: { ...options.env, DATABASE_URL: database.url },
    });
  } catch (err) {
    await database.drop();
    throw err;
  }

  return {
    ...cluster,
    stop: async () => {
      try {
        await cluster.stop();
      } finally {
        await database.drop();
      }
    },
  };
}
