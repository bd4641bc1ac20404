import type { GatewayConfig } from '../config/gateway.config.js';
import type { Logger } from '../logging/logger.js';
import type { ChatBus } from './chat-bus.js';
import { MqttBus } from './mqtt.bus.js';
import { RedisBus } from './redis.bus.js';

/** Builds the bus the configuration's URL names, by its scheme. */
export function createBus(config: GatewayConfig, logger: Logger): ChatBus {
  const scheme = new URL(config.busUrl).protocol;
  const clientId = `${config.busPrefix}-${config.instance}-${process.pid}`;

  switch (scheme) {
    case 'mqtt:':
    case 'mqtts:':
    case 'tcp:':
      return new MqttBus(config.busUrl, config.busPrefix, clientId, logger);
    case 'redis:':
    case 'rediss:':
      return new RedisBus(config.busUrl, config.busPrefix, clientId, logger);
    default:
      throw new Error(`BUS_URL scheme ${scheme} is not supported`);
  }
}
