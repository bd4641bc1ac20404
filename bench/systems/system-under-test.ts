import type { DialectName } from '../load/load-messages.js';

/** The names of the systems the bench compares. */
export type SystemName = 'chat' | 'chat-redis-pg' | 'ws-ceiling' | 'socketio';

/** How each system reads in tables and the chart. */
export const SYSTEM_LABELS: Record<SystemName, string> = {
  chat: 'chat (2 gateways + bus + balancer)',
  'chat-redis-pg': 'chat on Redis + PostgreSQL (2 gateways + balancer)',
  'ws-ceiling': 'bare ws (1 process)',
  socketio: 'Socket.IO 4 ×2 + redis-adapter + http-proxy',
};

/**
 * A running system the bench measures: where clients connect, and which
 * processes count towards its CPU time and memory.
 */
export interface SystemUnderTest {
  readonly name: SystemName;
  readonly dialect: DialectName;
  /** The URL clients are given: the balancer's, or the one server's. */
  readonly entryUrl: string;
  /** Each server's own URL, for clients that bypass the balancer. */
  readonly directUrls: string[];
  /** Pid of every process of the system, by name; the generator is none. */
  pids(): Map<string, number>;
  stop(): Promise<void>;
}
