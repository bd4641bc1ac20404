import type { GatewayConfig } from '../config/gateway.config.js';
import type { Logger } from '../logging/logger.js';
import type { WriteWindow } from '../ws/write-window.js';
import type { ChatBus } from './chat-bus.js';
import { MqttBus } from './mqtt.bus.js';
import { RedisBus } from './redis.bus.js';

/**
 * Builds the bus the configuration's URL names, by its scheme. Publishes
 * wait in the instance's write window like its frames do.
 */
export function createBus(
  config: GatewayConfig,
  logger: Logger,
  window?: WriteWindow,
): ChatBus {
  const scheme = new URL(config.busUrl).protocol;
  const clientId = `${config.busPrefix}-${config.instance}-${process.pid}`;

  switch (scheme) {
    case 'mqtt:':
    case 'mqtts:':
    case 'tcp:':
      return new MqttBus(
        config.busUrl,
        config.busPrefix,
        clientId,
        logger,
        window,
      );
    case 'redis:':
    case 'rediss:':
      return new RedisBus(config.busUrl, config.busPrefix, clientId, logger);
    default:
      throw new Error(`BUS_URL scheme ${scheme} is not supported`);
  }
}
