import { Controller, Get, Header, Inject } from '@nestjs/common';

import { CHAT_METRICS, type ChatMetrics } from './chat-metrics.js';

/** Prometheus scrapes the instance here. */
@Controller()
export class MetricsController {
  constructor(@Inject(CHAT_METRICS) private readonly metrics: ChatMetrics) {}

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  render(): Promise<string> {
    return this.metrics.render();
  }
}
