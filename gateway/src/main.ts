import { createGatewayApp } from './gateway.app.js';
import { loadGatewayConfig } from './config/gateway.config.js';
import { redactedUrl } from './config/redacted-url.js';
import { createLogger } from './logging/logger.js';

/**
 * One gateway instance. Its port and name come from the environment (PORT,
 * INSTANCE); see README.md for every setting.
 */
async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const logger = createLogger(config.instance, config.logLevel);

  const app = await createGatewayApp(config, logger);
  // SIGINT and SIGTERM (what PM2 sends on stop, restart and reload) run
  // Nest's shutdown hooks: clients are told to reconnect, then it closes.
  app.enableShutdownHooks();
  await app.listen(config.port, config.host);

  logger.info(
    {
      port: config.port,
      host: config.host,
      bus: redactedUrl(config.busUrl),
      store: config.databaseUrl ? redactedUrl(config.databaseUrl) : 'sqlite',
    },
    'gateway listening',
  );
  // PM2's wait_ready: this instance counts as started only from here.
  process.send?.('ready');
}

main().catch((err: unknown) => {
  process.stderr.write(`gateway failed to start: ${String(err)}\n`);
  process.exit(1);
});
