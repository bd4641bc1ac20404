import type { GatewayConfig } from '../config/gateway.config.js';
import type { Logger } from '../logging/logger.js';
import type { ChatStore } from './chat-store.js';
import { PostgresStore } from './postgres.store.js';
import { SqliteStore } from './sqlite.store.js';

/**
 * Builds the store the configuration names: PostgreSQL when DATABASE_URL
 * is set, else the SQLite file of STORE_PATH.
 */
export function createStore(config: GatewayConfig, logger: Logger): ChatStore {
  if (config.databaseUrl === undefined) {
    return new SqliteStore(config.storePath);
  }

  const scheme = new URL(config.databaseUrl).protocol;
  switch (scheme) {
    case 'postgres:':
    case 'postgresql:':
      return new PostgresStore(config.databaseUrl, logger);
    default:
      throw new Error(`DATABASE_URL scheme ${scheme} is not supported`);
  }
}
