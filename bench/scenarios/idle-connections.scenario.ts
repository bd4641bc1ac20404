import { snapshotUsage } from '../measure/process-usage.js';
import { connectAll, roomClients, type BenchContext } from './bench-context.js';

/** Memory of one process of the system, before and after the clients. */
export interface ProcessMemory {
  process: string;
  /** Clients whose connection this process holds. */
  connections: number;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  /** RSS growth / connections. */
  bytesPerConnection: number;
}

/** Scenario 4's result. */
export interface IdleResult {
  clients: number;
  roomSize: number;
  /** From the first handshake to the last join answered. */
  connectMs: number;
  servers: Record<string, number>;
  processes: ProcessMemory[];
}

/** Wait after the connects, for memory to settle before it is read. */
const SETTLE_MS = 3000;
const QUICK_SETTLE_MS = 300;

/**
 * Scenario 4, idle connections, on a freshly started system: connects and
 * joins `idleClients` clients in rooms of `idleRoomSize`, then reads each
 * process's RSS growth.
 */
export async function measureIdleConnections(
  ctx: BenchContext,
): Promise<IdleResult> {
  const { idleClients, idleRoomSize } = ctx.options;
  const pids = ctx.system.pids();
  pids.delete('redis-server');
  const before = snapshotUsage(pids);

  const clients = roomClients(
    ctx,
    'idle',
    idleClients,
    idleRoomSize,
    () => ctx.system.entryUrl,
  );
  const connection = await connectAll(ctx, clients);
  ctx.progress.stage('letting memory settle');
  const settle = ctx.options.quick ? QUICK_SETTLE_MS : SETTLE_MS;
  await new Promise((resolve) => setTimeout(resolve, settle));
  const after = snapshotUsage(pids);

  const processes = [...after].map(([name, sample]) => {
    const rssBeforeBytes = before.get(name)?.rssBytes ?? 0;
    const connections = connectionsOf(name, connection.servers, idleClients);

    return {
      process: name,
      connections,
      rssBeforeBytes,
      rssAfterBytes: sample.rssBytes,
      bytesPerConnection:
        connections > 0 ? (sample.rssBytes - rssBeforeBytes) / connections : 0,
    };
  });
  await ctx.fleet.closeClients();

  return {
    clients: idleClients,
    roomSize: idleRoomSize,
    connectMs: connection.elapsedMs,
    servers: connection.servers,
    processes,
  };
}

/**
 * How many of the clients a process holds: a server holds those that its
 * join answer named; a balancer or proxy holds all of them; the bus none.
 */
function connectionsOf(
  name: string,
  servers: Record<string, number>,
  clients: number,
): number {
  if (name in servers) return servers[name];
  if (name === 'balancer' || name.endsWith('proxy')) return clients;
  if (Object.keys(servers).length === 1 && name !== 'bus') return clients;

  return 0;
}
