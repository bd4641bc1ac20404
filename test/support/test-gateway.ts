import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';

import { AppModule } from '../../gateway/src/app.module.js';
import { configureGatewayApp } from '../../gateway/src/gateway.app.js';
import { loadGatewayConfig } from '../../gateway/src/config/gateway.config.js';
import { createLogger } from '../../gateway/src/logging/logger.js';
import { PinoNestLogger } from '../../gateway/src/logging/pino-nest.logger.js';
import { freePort } from './free-port.js';

/** A gateway built with @nestjs/testing, listening on a free port. */
export interface TestGateway {
  app: INestApplication;
  instance: string;
  port: number;
  url: string;
  close(): Promise<void>;
}

/**
 * Starts a gateway in this process against the given bus, with its own
 * store file unless `storeDir` names a shared one.
 */
export async function startTestGateway(options: {
  busUrl: string;
  instance: string;
  storeDir?: string;
  env?: Record<string, string>;
}): Promise<TestGateway> {
  const ownDir = options.storeDir
    ? undefined
    : mkdtempSync(join(tmpdir(), 'chat-gw-'));
  const port = await freePort();
  const config = loadGatewayConfig({
    PORT: String(port),
    INSTANCE: options.instance,
    BUS_URL: options.busUrl,
    STORE_PATH: join(options.storeDir ?? ownDir!, 'chat.db'),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...options.env,
  });
  const logger = createLogger(config.instance, config.logLevel);

  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.register(config, logger)],
  }).compile();
  const app = moduleRef.createNestApplication({
    logger: new PinoNestLogger(logger),
  });
  configureGatewayApp(app, config, logger);
  await app.listen(port, '127.0.0.1');

  return {
    app,
    instance: config.instance,
    port,
    url: `ws://127.0.0.1:${port}/ws`,
    close: async () => {
      await app.close();
      if (ownDir) {
        rmSync(ownDir, { recursive: true, force: true });
      }
    },
  };
}
