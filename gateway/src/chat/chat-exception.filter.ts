import { Catch, Inject, Logger, type ArgumentsHost } from '@nestjs/common';
import type { BaseWsExceptionFilter } from '@nestjs/websockets';
import type { WebSocket } from 'ws';

import {
  GATEWAY_CONFIG,
  type GatewayConfig,
} from '../config/gateway.config.js';
import { CHAT_METRICS, type ChatMetrics } from '../metrics/chat-metrics.js';
import { sendBounded } from '../ws/bounded-send.js';
import { ErrorCode, ServerEvent, type ErrorData } from '../protocol/index.js';
import { ChatError } from './chat-error.js';

/**
 * Turns whatever a handler throws into the protocol's `error` frame. A
 * ChatError is the client's mistake and goes back as it is; anything else is
 * ours, logged once, and the client gets `internal`.
 */
@Catch()
export class ChatExceptionFilter implements Pick<
  BaseWsExceptionFilter,
  'catch'
> {
  private readonly logger = new Logger(ChatExceptionFilter.name);

  constructor(
    @Inject(CHAT_METRICS) private readonly metrics: ChatMetrics,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ws = host.switchToWs();
    const client = ws.getClient<WebSocket>();
    const event = ws.getPattern();

    const data: ErrorData =
      exception instanceof ChatError
        ? {
            code: exception.code,
            message: exception.message,
            ref: exception.ref,
          }
        : {
            code: ErrorCode.Internal,
            message: 'The server failed to handle the request',
            ref: event,
          };

    if (!(exception instanceof ChatError)) {
      this.logger.error(exception);
    }
    this.metrics.frameRejected(data.code);

    sendBounded(
      client,
      JSON.stringify({ event: ServerEvent.Error, data }),
      this.config.maxBufferedBytes,
    );
  }
}
