import 'reflect-metadata';

import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

import { AppModule } from './app.module.js';
import type { GatewayConfig } from './config/gateway.config.js';
import { type Logger } from './logging/logger.js';
import { PinoNestLogger } from './logging/pino-nest.logger.js';
import { CHAT_METRICS, type ChatMetrics } from './metrics/chat-metrics.js';
import { ChatWsAdapter } from './ws/chat-ws.adapter.js';

/**
 * Builds a gateway application, ready to listen. Shared by the process
 * entry point and the tests, so that both run the same wiring.
 */
export async function createGatewayApp(
  config: GatewayConfig,
  logger: Logger,
): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.register(config, logger), {
    logger: new PinoNestLogger(logger.child({ component: 'nest' })),
  });

  return configureGatewayApp(app, config, logger);
}

/** The wiring every gateway application gets, however it was created. */
export function configureGatewayApp(
  app: INestApplication,
  config: GatewayConfig,
  logger: Logger,
): INestApplication {
  app.useWebSocketAdapter(
    new ChatWsAdapter(app, {
      maxPayloadBytes: config.maxPayloadBytes,
      heartbeatMs: config.heartbeatMs,
      rateLimit: config.rateLimit,
      originPolicy: {
        origins: config.allowedOrigins,
        hosts: config.allowedHosts,
      },
      maxBufferedBytes: config.maxBufferedBytes,
      rejected: (code) =>
        app.get<ChatMetrics>(CHAT_METRICS).frameRejected(code),
      logger,
    }),
  );

  return app;
}
