import {
  ConfigError,
  loadBalancerConfig,
  type BalancerConfig,
} from './balancer.config.js';
import { startBalancer } from './balancer.js';
import { createLogger } from './logger.js';

/**
 * Entry point under PM2: reads the environment, starts the balancer and
 * closes it on SIGINT or SIGTERM. A second signal while closing exits at
 * once, for an operator who does not want to wait.
 */
async function main(): Promise<void> {
  const config = readConfigOrExit();
  const logger = createLogger(config.logLevel);
  const balancer = await startBalancer(config, logger);

  logger.info(
    {
      host: balancer.host,
      port: balancer.port,
      upstreams: config.upstreams.length,
      upstreamsFile: config.upstreamsFile,
      webRoot: config.webRoot,
    },
    'listening',
  );
  // PM2's wait_ready holds a reload until this arrives.
  process.send?.('ready');

  const closeAndReport = async () => {
    try {
      await balancer.close();
      logger.info('closed');
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exitCode = 1;
    }
  };

  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) {
      logger.warn({ signal }, 'second signal, exiting without cleanup');
      process.exit(1);
    }

    closing = true;
    logger.info({ signal }, 'shutting down');
    void closeAndReport();
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

function readConfigOrExit(): BalancerConfig {
  try {
    return loadBalancerConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;

    createLogger('info').fatal(error.message);
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  createLogger('info').fatal({ err: error }, 'balancer failed to start');
  process.exit(1);
});
