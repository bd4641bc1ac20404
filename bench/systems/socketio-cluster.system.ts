import { randomBytes } from 'node:crypto';

import { ClusterProcess } from '../../test/support/cluster-process.js';
import { freePort } from '../../test/support/free-port.js';
import { freshOutputDir } from '../../test/support/test-output.js';
import { findRedisPid, REDIS_HOST, REDIS_PORT } from './redis-probe.js';
import type { SystemUnderTest } from './system-under-test.js';

/**
 * Starts the peer: two Socket.IO servers joined by the Redis adapter, and
 * an http-proxy balancer in front, from bench/peers/socketio/. The adapter's
 * channels get a random prefix so that they never meet anyone else's on
 * the shared Redis.
 */
export async function startSocketIoCluster(): Promise<SystemUnderTest> {
  const logDir = freshOutputDir('bench-socketio');
  const key = `bench-${randomBytes(6).toString('hex')}`;
  const ports = [await freePort(), await freePort()];
  const servers = ports.map(
    (port) =>
      new ClusterProcess(
        `socketio-${port}`,
        'dist/bench/peers/socketio/socketio-server.js',
        {
          PORT: String(port),
          REDIS_URL: `redis://${REDIS_HOST}:${REDIS_PORT}`,
          ADAPTER_KEY: key,
        },
        logDir,
      ),
  );
  const proxyPort = await freePort();
  const proxy = new ClusterProcess(
    'socketio-proxy',
    'dist/bench/peers/socketio/socketio-proxy.js',
    {
      PORT: String(proxyPort),
      UPSTREAMS: ports.map((port) => `127.0.0.1:${port}`).join(','),
    },
    logDir,
  );
  const all = [...servers, proxy];
  const stop = async () => {
    await Promise.all(all.map((p) => p.stop()));
  };

  try {
    await Promise.all(servers.map((server) => server.start()));
    await proxy.start();
  } catch (err) {
    await stop();
    throw err;
  }

  const path = '/socket.io/?EIO=4&transport=websocket';
  const redisPid = findRedisPid();

  return {
    name: 'socketio',
    dialect: 'socketio',
    entryUrl: `ws://127.0.0.1:${proxyPort}${path}`,
    directUrls: ports.map((port) => `ws://127.0.0.1:${port}${path}`),
    pids() {
      const pids = new Map(all.map((p) => [p.name, p.pid ?? -1]));
      if (redisPid !== undefined) pids.set('redis-server', redisPid);
      return pids;
    },
    stop,
  };
}
