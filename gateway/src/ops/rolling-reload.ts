import { promisify } from 'node:util';

import pm2 from 'pm2';

import { createLogger } from '../logging/logger.js';

/**
 * Reloads the gateway instances one after another, each only once the one
 * before it answers ready again, so that users always have an instance to
 * reconnect to. (`pm2 reload` of several fork-mode apps in one command
 * stops them all at the same time.)
 *
 * Usage: `npm run reload` (builds, then runs this).
 */
const logger = createLogger('rolling-reload', process.env.LOG_LEVEL ?? 'info');

const connect = promisify(pm2.connect.bind(pm2));
const list = promisify(pm2.list.bind(pm2));
const reload = promisify(
  (name: string, done: (err: Error | null) => void) =>
    void pm2.reload(name, (err) => done(err ?? null)),
);

const READY_TIMEOUT_MS = 30_000;

async function main(): Promise<void> {
  await connect();
  try {
    const gateways = (await list())
      .filter((app) => app.name?.startsWith('gateway-'))
      .map((app) => ({ name: app.name!, port: portOf(app) }));

    if (gateways.length === 0) {
      throw new Error('No gateway-* app runs under this PM2');
    }

    for (const gateway of gateways) {
      logger.info({ app: gateway.name }, 'reloading');
      await reload(gateway.name);
      await waitReady(gateway.port);
      // Ready is not enough: the balancer must have seen it, or the next
      // reload leaves reconnecting users with no instance to go to.
      await waitAdmitted(gateway.name);
      logger.info({ app: gateway.name }, 'ready again');
    }
  } finally {
    pm2.disconnect();
  }
}

function portOf(app: pm2.ProcessDescription): number {
  const env = (app.pm2_env ?? {}) as { PORT?: string; env?: { PORT?: string } };
  const port = Number(env.PORT ?? env.env?.PORT);
  if (!Number.isInteger(port) || port <= 0) {
    throw new Error(`${app.name} has no PORT in its environment`);
  }

  return port;
}

async function waitReady(port: number): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;

  while (Date.now() < deadline) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (response.ok) {
        return;
      }
    } catch {
      // Not listening yet: the new process is still starting.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  throw new Error(`The gateway on ${port} was not ready in time`);
}

/**
 * Waits until the local balancer lists the instance as up. A cluster run
 * without a balancer here (a gateway-only host) has nothing to wait for.
 */
async function waitAdmitted(instance: string): Promise<void> {
  const port = Number(process.env.BALANCER_PORT ?? 8000);
  const deadline = Date.now() + READY_TIMEOUT_MS;

  while (Date.now() < deadline) {
    let report: { instances?: { server?: string; state?: string }[] };
    try {
      const response = await fetch(`http://127.0.0.1:${port}/api/cluster`);
      report = (await response.json()) as typeof report;
    } catch {
      logger.warn({ port }, 'no balancer answers here; not waiting for it');
      return;
    }

    const seen = report.instances?.find((i) => i.server === instance);
    if (seen?.state === 'up') {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  throw new Error(`The balancer did not admit ${instance} in time`);
}

main().catch((err: unknown) => {
  logger.error({ err }, 'rolling reload failed');
  process.exitCode = 1;
});
