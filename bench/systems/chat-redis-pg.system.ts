import { randomBytes } from 'node:crypto';

import {
  startTestCluster,
  type TestCluster,
} from '../../test/support/test-cluster.js';
import { createTestDatabase } from '../../test/support/test-database.js';
import { BENCH_ENV } from './chat-cluster.system.js';
import { POSTGRES_ADMIN_URL } from './postgres-probe.js';
import { findRedisPid, REDIS_HOST, REDIS_PORT } from './redis-probe.js';
import type { SystemUnderTest } from './system-under-test.js';

/**
 * Starts the chat as it runs on several hosts: two gateways on the
 * machine's Redis (a bus prefix of this start only) and on a PostgreSQL
 * database this start creates, behind the balancer, with the bench
 * settings of the default chat. Stopping it drops the database.
 */
export async function startChatRedisPgCluster(): Promise<SystemUnderTest> {
  const database = await createTestDatabase(POSTGRES_ADMIN_URL);

  let cluster: TestCluster;
  try {
    cluster = await startTestCluster('bench-chat-redis-pg', {
      busUrl: `redis://${REDIS_HOST}:${REDIS_PORT}`,
      env: {
        ...BENCH_ENV,
        BUS_PREFIX: `bench-${randomBytes(6).toString('hex')}`,
        DATABASE_URL: database.url,
      },
    });
  } catch (err) {
    await database.drop();
    throw err;
  }
  const redisPid = findRedisPid();

  return {
    name: 'chat-redis-pg',
    dialect: 'chat',
    entryUrl: cluster.wsUrl,
    directUrls: [...cluster.gatewayUrls.values()],
    // TODO: PostgreSQL's backends are not counted: they come and go with
    // the gateways' pools, and a sample of a pid that ended fails the
    // step. Count them once the sampler can tell an ended pid apart.
    pids() {
      const all = [...cluster.gateways, cluster.balancer];
      const pids = new Map(all.map((p) => [p.name, p.pid ?? -1]));
      if (redisPid !== undefined) pids.set('redis-server', redisPid);
      return pids;
    },
    stop: async () => {
      try {
        await cluster.stop();
      } finally {
        await database.drop();
      }
    },
  };
}
