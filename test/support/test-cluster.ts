import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ClusterProcess } from './cluster-process.js';
import { freePort } from './free-port.js';
import { freshOutputDir } from './test-output.js';

/** The real processes of a cluster, on free loopback ports. */
export interface TestCluster {
  bus: ClusterProcess;
  gateways: ClusterProcess[];
  balancer: ClusterProcess;
  /** `http://127.0.0.1:PORT` of the balancer. */
  httpUrl: string;
  /** `ws://127.0.0.1:PORT/ws` of the balancer. */
  wsUrl: string;
  /** The direct `/ws` URL of each gateway, by instance name. */
  gatewayUrls: Map<string, string>;
  stop(): Promise<void>;
}

/**
 * Starts the embedded bus, `count` gateways sharing one store file, and the
 * balancer, each from the built output (run `npm run build` first). Every
 * process logs to test-output/<name>/.
 */
export async function startTestCluster(
  name: string,
  options: { count?: number; env?: Record<string, string> } = {},
): Promise<TestCluster> {
  const count = options.count ?? 2;
  const logDir = freshOutputDir(name);
  const dataDir = mkdtempSync(join(tmpdir(), 'chat-cluster-'));
  const busPort = await freePort();
  const extra = options.env ?? {};

  const bus = new ClusterProcess(
    'bus',
    'dist/gateway/src/broker/main.js',
    { BUS_PORT: String(busPort), ...extra },
    logDir,
  );

  const gatewayUrls = new Map<string, string>();
  const gateways: ClusterProcess[] = [];
  for (let i = 0; i < count; i++) {
    const port = await freePort();
    const instance = `gateway-${port}`;
    gatewayUrls.set(instance, `ws://127.0.0.1:${port}/ws`);
    gateways.push(
      new ClusterProcess(
        instance,
        'dist/gateway/src/main.js',
        {
          PORT: String(port),
          INSTANCE: instance,
          BUS_URL: `mqtt://127.0.0.1:${busPort}`,
          DATA_DIR: dataDir,
          ...extra,
        },
        logDir,
      ),
    );
  }

  const balancerPort = await freePort();
  const balancer = new ClusterProcess(
    'balancer',
    'dist/balancer/src/main.js',
    {
      BALANCER_PORT: String(balancerPort),
      UPSTREAMS: [...gatewayUrls.values()]
        .map((url) => new URL(url).host)
        .join(','),
      HEALTH_INTERVAL_MS: '250',
      ...extra,
    },
    logDir,
  );

  const all = [bus, ...gateways, balancer];
  const stop = async () => {
    await Promise.all([...all].reverse().map((p) => p.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    await bus.start();
    await Promise.all(gateways.map((gateway) => gateway.start()));
    await balancer.start();
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    bus,
    gateways,
    balancer,
    httpUrl: `http://127.0.0.1:${balancerPort}`,
    wsUrl: `ws://127.0.0.1:${balancerPort}/ws`,
    gatewayUrls,
    stop,
  };
}
