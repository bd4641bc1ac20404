import { Module, type DynamicModule } from '@nestjs/common';

import { createBus } from './bus/bus.factory.js';
import { CHAT_BUS } from './bus/chat-bus.js';
import { ChatGateway } from './chat/chat.gateway.js';
import { ChatService } from './chat/chat.service.js';
import { GATEWAY_CONFIG, type GatewayConfig } from './config/gateway.config.js';
import { HealthController } from './health/health.controller.js';
import { LOGGER, type Logger } from './logging/logger.js';
import { CHAT_METRICS, ChatMetrics } from './metrics/chat-metrics.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { CHAT_STORE } from './store/chat-store.js';
import { createStore } from './store/store.factory.js';

/**
 * The gateway application. The configuration and the logger come from the
 * caller, so that `main.ts` and the tests can each build it their way.
 */
@Module({})
export class AppModule {
  static register(
    config: GatewayConfig,
    logger: Logger,
    metrics: ChatMetrics = new ChatMetrics(config.instance),
  ): DynamicModule {
    return {
      module: AppModule,
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: CHAT_METRICS, useValue: metrics },
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        {
          provide: CHAT_STORE,
          useFactory: () =>
            createStore(config, logger.child({ component: 'store' })),
        },
        {
          provide: CHAT_BUS,
          useFactory: () =>
            createBus(config, logger.child({ component: 'bus' })),
        },
        ChatService,
        ChatGateway,
      ],
    };
  }
}
