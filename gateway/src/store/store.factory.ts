import type { GatewayConfig } from '../config/gateway.config.js';
import type { ChatStore } from './chat-store.js';
import { SqliteStore } from './sqlite.store.js';

/** Builds the store the configuration names. */
export function createStore(config: GatewayConfig): ChatStore {
  return new SqliteStore(config.storePath);
}
