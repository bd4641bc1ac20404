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
import { WRITE_WINDOW, WriteWindow } from './ws/write-window.js';

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
    const released = (frames: number, writes: number) =>
      metrics.windowReleased(frames, writes);
    const window = new WriteWindow(config.writeWindowMs, released);
    // A publish waits only for the I/O at hand: its receivers' own windows
    // would add a second wait on the way to their members.
    const busWindow = new WriteWindow(0, released);

    return {
      module: AppModule,
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: CHAT_METRICS, useValue: metrics },
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: WRITE_WINDOW, useValue: window },
        {
          provide: CHAT_STORE,
          useFactory: () =>
            createStore(config, logger.child({ component: 'store' })),
        },
        {
          provide: CHAT_BUS,
          useFactory: () =>
            createBus(config, logger.child({ component: 'bus' }), busWindow),
        },
        ChatService,
        ChatGateway,
      ],
    };
  }
}
