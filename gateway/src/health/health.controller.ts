import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';

import { ChatService } from '../chat/chat.service.js';
import {
  GATEWAY_CONFIG,
  type GatewayConfig,
} from '../config/gateway.config.js';
import { CHAT_METRICS, type ChatMetrics } from '../metrics/chat-metrics.js';

/**
 * Plain HTTP probes. `/healthz` says the process answers; `/readyz` says it
 * can serve users (store open, bus connected, not draining). The balancer
 * routes new users only to ready instances, and reads the running totals
 * of `/readyz` to show each instance's load in `/api/cluster`.
 */
@Controller()
export class HealthController {
  constructor(
    private readonly chat: ChatService,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(CHAT_METRICS) private readonly metrics: ChatMetrics,
  ) {}

  @Get('healthz')
  health() {
    return { status: 'ok', server: this.config.instance };
  }

  @Get('readyz')
  ready(@Res({ passthrough: true }) response: Response) {
    const ready = this.chat.ready;
    response.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);

    return {
      ready,
      server: this.config.instance,
      bus: this.chat.busConnected,
      store: this.chat.storeReady,
      connections: this.chat.connectionCount,
      // Totals, not rates: whoever polls divides the difference between
      // two answers by the time between them, at its own pace.
      messagesAccepted: this.metrics.messagesAccepted,
      deliveries: this.metrics.deliveries,
      uptimeSeconds: Math.floor(process.uptime()),
      draining: this.chat.draining,
    };
  }
}
