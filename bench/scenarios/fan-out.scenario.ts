import { connectAll, roomClients, type BenchContext } from './bench-context.js';
import { runStep, spreadOverServers, type StepResult } from './step-runner.js';

/** One room's clients, connected and joined, ready to send. */
export interface FanOutRoom {
  senders: number[];
  roomSize: number;
  /** Joined clients per instance. */
  servers: Record<string, number>;
  connectMs: number;
}

/**
 * Connects `fanOutClients` clients into one room, each to `urlFor(i)`,
 * and warms the path up with a short unmeasured step.
 */
export async function openFanOutRoom(
  ctx: BenchContext,
  name: string,
  urlFor: (index: number) => string,
): Promise<FanOutRoom> {
  const { fanOutClients, fanOutSenders } = ctx.options;
  const clients = roomClients(ctx, name, fanOutClients, fanOutClients, urlFor);
  const connection = await connectAll(ctx, clients, 100);
  const senders = spreadOverServers(connection.clientsByServer, fanOutSenders);

  await runStep(ctx, {
    label: 'warm-up',
    senders,
    rate: ctx.options.fanOutRates[0],
    seconds: ctx.options.warmupSeconds,
    roomSize: fanOutClients,
  });

  return {
    senders,
    roomSize: fanOutClients,
    servers: connection.servers,
    connectMs: connection.elapsedMs,
  };
}

/** Scenario 1's result for one system. */
export interface FanOutResult {
  clients: number;
  senders: number;
  servers: Record<string, number>;
  steps: StepResult[];
}

/**
 * Scenario 1, room fan-out: the room's senders send at each rate in turn;
 * every other member receives each message.
 */
export async function measureFanOut(
  ctx: BenchContext,
  room: FanOutRoom,
): Promise<FanOutResult> {
  const steps: StepResult[] = [];
  for (const [i, rate] of ctx.options.fanOutRates.entries()) {
    steps.push(
      await runStep(ctx, {
        label: `step ${i + 1}/${ctx.options.fanOutRates.length}`,
        senders: room.senders,
        rate,
        seconds: ctx.options.stepSeconds,
        roomSize: room.roomSize,
      }),
    );
  }

  return {
    clients: room.roomSize,
    senders: room.senders.length,
    servers: room.servers,
    steps,
  };
}
