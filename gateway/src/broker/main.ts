import { createServer } from 'node:net';

import { Aedes } from 'aedes';

import { DEFAULT_BUS_PORT } from '../config/gateway.config.js';
import { createLogger } from '../logging/logger.js';

/**
 * The embedded bus: an aedes MQTT broker on loopback, run as its own PM2
 * app. It keeps nothing: the store is the cluster's memory. Set BUS_URL on
 * the gateways to use an external broker instead.
 */
async function main(): Promise<void> {
  const port = Number(process.env.BUS_PORT ?? DEFAULT_BUS_PORT);
  const host = process.env.BUS_HOST ?? '127.0.0.1';
  const logger = createLogger('bus', process.env.LOG_LEVEL ?? 'info');

  const broker = await Aedes.createBroker();
  broker.on('clientError', (client, err) => {
    logger.debug({ client: client.id, err: err.message }, 'client error');
  });

  const server = createServer((socket) => {
    // Chat messages are small and come in bursts: with Nagle's algorithm a
    // second publish waits for the ACK of the first, and the peer delays
    // that ACK by up to 40 ms.
    socket.setNoDelay(true);
    broker.handle(socket);
  });
  server.on('error', (err) => {
    logger.fatal({ err, port }, 'the bus cannot listen');
    process.exit(1);
  });
  server.listen(port, host, () => {
    logger.info({ port, host }, 'bus listening');
    process.send?.('ready');
  });

  const stop = () => {
    logger.info('bus stopping');
    server.close();
    broker.close(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`bus failed to start: ${String(err)}\n`);
  process.exit(1);
});
