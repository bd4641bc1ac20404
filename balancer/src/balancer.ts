import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Logger } from 'pino';

import type { BalancerConfig } from './balancer.config.js';
import { BalancerMetrics } from './balancer-metrics.js';
import { buildClusterReport } from './cluster-report.js';
import { startPm2Monitor } from './pm2-monitor.js';
import { HealthChecker } from './health-checker.js';
import {
  pm2InstanceControl,
  type InstanceControl,
} from './instance-control.js';
import { createLogger } from './logger.js';
import { createStaticSite } from './static-site.js';
import type { UpstreamStatus } from './upstream.js';
import { UpstreamPool } from './upstream-pool.js';
import { UpstreamsFileWatcher } from './upstreams-file-watcher.js';
import { WsRouter } from './ws-router.js';

/** A balancer that is listening. */
export interface RunningBalancer {
  /** The port it listens on; the real one when the config asked for 0. */
  readonly port: number;
  readonly host: string;
  /** Health and open connections of every upstream, in config order. */
  upstreams(): UpstreamStatus[];
  /** Stops health checks, drops all connections and stops listening. */
  close(): Promise<void>;
}

/** Parts a test may swap for its own. */
export interface BalancerParts {
  /**
   * Stops and starts instances for the demo switch.
   * @default PM2's API when run by PM2, else none
   */
  readonly instanceControl?: InstanceControl;
}

/**
 * Starts the balancer: probes the gateways once, then listens for the SPA's
 * HTTP requests and for WebSocket upgrades on `/ws`. Resolves once it is
 * listening; rejects if the port cannot be bound.
 */
export async function startBalancer(
  config: BalancerConfig,
  logger: Logger = createLogger(config.logLevel),
  parts: BalancerParts = {},
): Promise<RunningBalancer> {
  const pool = new UpstreamPool(
    config.upstreams,
    logger.child({ component: 'upstream-pool' }),
  );
  const health = new HealthChecker(
    pool,
    { intervalMs: config.healthIntervalMs, timeoutMs: config.healthTimeoutMs },
    logger.child({ component: 'health-checker' }),
  );
  const watcher =
    config.upstreamsFile === undefined
      ? undefined
      : new UpstreamsFileWatcher(
          config.upstreamsFile,
          config.upstreamsFilePollMs,
          (addresses) => health.watch(pool.replace(addresses).added),
          logger.child({ component: 'upstreams-file' }),
        );
  const router = new WsRouter(
    pool,
    {
      maxConnectionsPerAddress: config.maxConnectionsPerAddress,
      maxPendingUpgrades: config.maxPendingUpgrades,
    },
    logger.child({ component: 'ws-router' }),
  );
  const startedAt = Date.now();
  const facts = {
    upstreams: () => pool.status(),
    upgradesTotal: () => router.upgradesTotal,
  };
  const metrics = new BalancerMetrics(facts);
  await startPm2Monitor(facts);
  const site = createStaticSite({
    metrics: () => metrics.render(),
    webRoot: config.webRoot,
    upstreamStatus: () => pool.status(),
    clusterReport: () =>
      buildClusterReport({
        startedAt,
        now: Date.now(),
        upgradesTotal: router.upgradesTotal,
        demo: config.demo,
        upstreams: pool.status(),
      }),
    demo: {
      enabled: config.demo,
      control: parts.instanceControl ?? pm2InstanceControl(),
    },
    logger: logger.child({ component: 'static-site' }),
  });

  const server = createServer(site);
  server.on('upgrade', router.handleUpgrade);
  server.on('clientError', (error, socket) => {
    // Node answers 400 itself when no listener is set; with one, closing
    // the socket is ours to do. A malformed request is the client's fault.
    logger.debug({ err: error }, 'malformed HTTP request');
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    socket.destroy();
  });

  // Watching starts with the probes, so that no edit of the file made
  // while the first probes run is missed.
  const probed = health.start();
  watcher?.start();
  await probed;

  try {
    await listen(server, config.port, config.host);
  } catch (error) {
    watcher?.stop();
    health.stop();
    throw error;
  }

  const { port } = server.address() as AddressInfo;

  return {
    port,
    host: config.host,
    upstreams: () => pool.status(),
    close: async () => {
      watcher?.stop();
      health.stop();
      router.closeAll();
      await stopListening(server);
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Closes the server and the keep-alive connections that would hold it
 * open. Upgraded sockets are no longer the server's to close: the router
 * has already dropped them.
 */
function stopListening(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
