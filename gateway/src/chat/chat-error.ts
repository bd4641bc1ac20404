import type { ErrorCodeName } from '../protocol/index.js';

/**
 * A request the gateway refuses, with the code the client gets in its
 * `error` frame. A ChatError is the client's business, never logged above
 * debug.
 */
export class ChatError extends Error {
  constructor(
    readonly code: ErrorCodeName,
    message: string,
    readonly ref: string | null = null,
  ) {
    super(message);
    this.name = 'ChatError';
  }
}
