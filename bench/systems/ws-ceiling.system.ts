import { ClusterProcess } from '../../test/support/cluster-process.js';
import { freePort } from '../../test/support/free-port.js';
import { freshOutputDir } from '../../test/support/test-output.js';
import type { SystemUnderTest } from './system-under-test.js';

/** Starts the bare ws broadcast server of bench/peers/ws-ceiling.ts. */
export async function startWsCeiling(): Promise<SystemUnderTest> {
  const port = await freePort();
  const server = new ClusterProcess(
    'ws-ceiling',
    'dist/bench/peers/ws-ceiling.js',
    { PORT: String(port) },
    freshOutputDir('bench-ws-ceiling'),
  );
  await server.start();
  const url = `ws://127.0.0.1:${port}/ws`;

  return {
    name: 'ws-ceiling',
    dialect: 'chat',
    entryUrl: url,
    directUrls: [url],
    pids: () => new Map([['ws-ceiling', server.pid ?? -1]]),
    stop: () => server.stop(),
  };
}
