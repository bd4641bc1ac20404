import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ClusterProcess } from './cluster-process.js';
import { freePort } from './free-port.js';
import { TcpRelay } from './tcp-relay.js';
import { freshOutputDir } from './test-output.js';

/** How a test cluster is started. */
export interface TestClusterOptions {
  /** Gateways to start. @default 2 */
  count?: number;
  /** Extra environment of every process, e.g. DATABASE_URL. */
  env?: Record<string, string>;
  /**
   * A bus the test did not start (a shared Mosquitto or Redis): no
   * embedded bus process then, and a random BUS_PREFIX unless `env` sets
   * one, so that runs sharing the server never hear each other.
   */
  busUrl?: string;
  /**
   * Puts a TcpRelay of the test's own between the gateways and the
   * external bus, so that cutBus() can take the bus away without touching
   * the shared server.
   */
  relayBus?: boolean;
}

/** The real processes of a cluster, on free loopback ports. */
export interface TestCluster {
  /** The embedded bus; undefined when the cluster uses an external one. */
  bus: ClusterProcess | undefined;
  gateways: ClusterProcess[];
  balancer: ClusterProcess;
  /** `http://127.0.0.1:PORT` of the balancer. */
  httpUrl: string;
  /** `ws://127.0.0.1:PORT/ws` of the balancer. */
  wsUrl: string;
  /** The direct `/ws` URL of each gateway, by instance name. */
  gatewayUrls: Map<string, string>;
  /** Takes the bus away from the gateways, as a crash of it would. */
  cutBus(): Promise<void>;
  /** Brings the bus back after cutBus(). */
  restoreBus(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the embedded bus (unless `busUrl` names another), `count`
 * gateways sharing one store (a SQLite file, or the DATABASE_URL of
 * `env`), and the balancer, each from the built output (run `npm run
 * build` first). Every process logs to test-output/<name>/.
 */
export async function startTestCluster(
  name: string,
  options: TestClusterOptions = {},
): Promise<TestCluster> {
  const count = options.count ?? 2;
  const logDir = freshOutputDir(name);
  const dataDir = mkdtempSync(join(tmpdir(), 'chat-cluster-'));
  const extra = { ...options.env };

  let bus: ClusterProcess | undefined;
  let relay: TcpRelay | undefined;
  let busUrl: string;
  if (options.busUrl === undefined) {
    const busPort = await freePort();
    busUrl = `mqtt://127.0.0.1:${busPort}`;
    bus = new ClusterProcess(
      'bus',
      'dist/gateway/src/broker/main.js',
      { BUS_PORT: String(busPort), ...extra },
      logDir,
    );
  } else {
    extra.BUS_PREFIX ??= `test-${randomBytes(6).toString('hex')}`;
    busUrl = options.busUrl;
    if (options.relayBus) {
      const target = new URL(options.busUrl);
      relay = await TcpRelay.start({
        host: target.hostname,
        port: Number(target.port),
      });
      busUrl = relay.rewrite(options.busUrl);
    }
  }

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
          BUS_URL: busUrl,
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

  const all = [...(bus ? [bus] : []), ...gateways, balancer];
  const stop = async () => {
    await Promise.all([...all].reverse().map((p) => p.stop()));
    await relay?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };

  const cutBus = async () => {
    if (bus) {
      await bus.stop('SIGKILL');
    } else if (relay) {
      await relay.stop();
    } else {
      throw new Error('an external bus without a relay cannot be cut');
    }
  };
  const restoreBus = async () => {
    await (bus ? bus.start() : relay?.start());
  };

  try {
    await bus?.start();
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
    cutBus,
    restoreBus,
    stop,
  };
}
