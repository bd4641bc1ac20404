import type { Logger } from '../logging/logger.js';
import { busMessageSchema } from './bus-message.schema.js';
import type { BusTopics } from './bus-topics.js';
import type { BusHandlers } from './chat-bus.js';
import { directSignalSchema } from './direct-signal.js';
import { typingSignalSchema } from './typing-signal.js';

/**
 * Hands a payload from the bus to the right handler, whatever bus carried
 * it. Other processes can publish on a shared broker, so every payload is
 * parsed and checked like client input; and a handler that throws here
 * would throw out of the bus client's socket callback and take the whole
 * process down with it.
 */
export function dispatchBusPayload(
  topics: BusTopics,
  handlers: BusHandlers,
  logger: Logger,
  topic: string,
  text: string,
): void {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    logger.warn({ err, topic }, 'dropped an unreadable bus payload');
    return;
  }

  try {
    if (topic === topics.presence) {
      handlers.presence(body);
      return;
    }

    if (topic === topics.direct) {
      const signal = directSignalSchema.safeParse(body);
      if (signal.success) {
        handlers.direct(signal.data);
      } else {
        logger.warn({ topic }, 'dropped a malformed direct message');
      }
      return;
    }

    if (topics.isTyping(topic)) {
      const signal = typingSignalSchema.safeParse(body);
      if (signal.success) {
        handlers.typing(signal.data);
      }
      return;
    }

    if (topics.roomOf(topic) === undefined) {
      return;
    }

    const message = busMessageSchema.safeParse(body);
    if (message.success) {
      handlers.message(message.data);
    } else {
      logger.warn({ topic }, 'dropped a malformed bus message');
    }
  } catch (err) {
    logger.error({ err, topic }, 'a bus handler failed');
  }
}
