import {
  cpuBetween,
  machineBusyMs,
  snapshotUsage,
} from '../measure/process-usage.js';
import { waitForQuietMachine } from '../measure/quiet-machine.js';
import type { BenchContext } from './bench-context.js';

/** Everything measured in one step at one offered rate. */
export interface StepResult {
  /** Messages per second offered, all senders together. */
  offeredRate: number;
  seconds: number;
  /** Members of each room of the step, the sender included. */
  roomSize: number;
  sent: number;
  /** Sends skipped because a socket was closed. */
  unsent: number;
  /** sent × (room size − 1): deliveries to clients other than the sender. */
  expected: number;
  delivered: number;
  /** Expected deliveries not received by the end of the drain. */
  lost: number;
  duplicated: number;
  /** The senders' own copies, expected = sent. */
  echoes: number;
  acks: number;
  errors: number;
  dropped: number;
  /**
   * Clients that received nothing of the step, by server: in a step where
   * every client should receive, the servers whose deliveries were lost.
   */
  silentClients: Record<string, number>;
  deliveriesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** CPU time of the system under test during the step, in ms. */
  cpuMs: number;
  /** cpuMs per delivery, in microseconds. */
  cpuMicrosPerDelivery: number;
  /** The share of one core the system used. */
  cpuCores: number;
  /** CPU time of the load generator, in ms, for comparison. */
  generatorCpuMs: number;
  /** The share of one core the load generator used. */
  generatorCores: number;
  /**
   * Cores used by every other process on the machine meanwhile: anything
   * well above zero means the step shared the machine with other work.
   */
  otherCpuCores: number;
  /** Cores the machine used just before the step began. */
  busyBeforeCores: number;
  /** How far the generator fell behind its schedule, in ms. */
  sendLagMs: number;
  /** p99 under the limit with nothing lost or duplicated. */
  held: boolean;
}

/** Below this, the machine counts as quiet enough to start a step. */
const QUIET_MACHINE_CORES = 0.3;

/** Longest wait for the last deliveries after the last send. */
const DRAIN_MS = 5000;
/** A drain ends early once nothing new has arrived for this long. */
const QUIET_MS = 1500;

/**
 * Runs one step: `rate` messages a second from `senders` for the step's
 * length, then waits for the deliveries to arrive, and measures.
 */
export async function runStep(
  ctx: BenchContext,
  input: {
    label: string;
    senders: number[];
    rate: number;
    seconds: number;
    roomSize: number;
  },
): Promise<StepResult> {
  let busyBeforeCores = 0;
  const step = ctx.nextStep();
  if (ctx.options.quietWaitSeconds > 0) {
    ctx.progress.stage(`${input.label}: waiting for a quiet machine`);
    const quiet = await waitForQuietMachine(
      QUIET_MACHINE_CORES,
      ctx.options.quietWaitSeconds * 1000,
    );
    busyBeforeCores = quiet.cores;
  }
  const pids = ctx.system.pids();
  const before = snapshotUsage(pids);
  const generatorBefore = process.cpuUsage();
  const machineBefore = machineBusyMs();
  const started = performance.now();

  ctx.progress.stage(`${input.label}: sending ${input.rate} msg/s`);
  const run = await ctx.fleet.run(
    step,
    input.senders,
    input.rate,
    input.seconds * 1000,
  );
  const expected = run.sent * (input.roomSize - 1);

  ctx.progress.stage(`${input.label}: draining`);
  const drainEnd = performance.now() + DRAIN_MS;
  let stats = await ctx.fleet.stats(step);
  let lastCount = -1;
  let lastChange = performance.now();
  while (performance.now() < drainEnd) {
    const count = stats.delivered + stats.duplicated + stats.echoes;
    if (stats.delivered >= expected && stats.echoes >= run.sent) break;
    if (count !== lastCount) {
      lastCount = count;
      lastChange = performance.now();
    } else if (performance.now() - lastChange > QUIET_MS) {
      break;
    }

    await new Promise((resolve) => setTimeout(resolve, 100));
    stats = await ctx.fleet.stats(step);
  }

  const after = snapshotUsage(pids);
  const generator = process.cpuUsage(generatorBefore);
  const generatorCpuMs = (generator.user + generator.system) / 1000;
  const machineMs = machineBusyMs() - machineBefore;
  const elapsedMs = performance.now() - started;
  const cpuMs = cpuBetween(before, after);
  const lost = Math.max(0, expected - stats.delivered);
  const p99Ms = stats.histogram.percentileMs(0.99);

  return {
    offeredRate: input.rate,
    seconds: input.seconds,
    roomSize: input.roomSize,
    sent: run.sent,
    unsent: run.unsent,
    expected,
    delivered: stats.delivered,
    lost,
    duplicated: stats.duplicated,
    echoes: stats.echoes,
    acks: stats.acks,
    errors: stats.errors,
    dropped: stats.dropped,
    silentClients: stats.silent,
    deliveriesPerSecond: stats.delivered / input.seconds,
    p50Ms: stats.histogram.percentileMs(0.5),
    p99Ms,
    maxMs: stats.histogram.maxMs,
    cpuMs,
    cpuMicrosPerDelivery:
      stats.delivered > 0 ? (cpuMs * 1000) / stats.delivered : 0,
    cpuCores: cpuMs / elapsedMs,
    generatorCpuMs,
    generatorCores: generatorCpuMs / elapsedMs,
    busyBeforeCores,
    otherCpuCores: Math.max(0, machineMs - cpuMs - generatorCpuMs) / elapsedMs,
    sendLagMs: run.lagMs,
    held:
      p99Ms <= ctx.options.maxP99Ms &&
      lost === 0 &&
      stats.duplicated === 0 &&
      run.unsent === 0,
  };
}

/**
 * Spreads `count` senders evenly over `clients`, sender k on worker k mod
 * `workers`, so that every worker sends its share.
 */
export function spreadSenders(
  clients: number,
  count: number,
  workers: number,
): number[] {
  const gap = Math.max(1, Math.floor(clients / count));

  return Array.from({ length: count }, (_, k) => {
    const base = k * gap;
    const shift = (k - (base % workers) + workers) % workers;
    return Math.min(clients - 1, base + shift);
  });
}

/**
 * Picks `count` senders taking turns between the servers, evenly spread
 * over each server's clients, so that a room's messages are accepted by
 * every instance and cross the bus both ways.
 */
export function spreadOverServers(
  clientsByServer: Record<string, number[]>,
  count: number,
): number[] {
  const servers = Object.keys(clientsByServer).sort();
  const share = servers.map(
    (_, s) =>
      Math.floor(count / servers.length) + (s < count % servers.length ? 1 : 0),
  );

  const senders = servers.flatMap((server, s) => {
    const clients = clientsByServer[server];
    const picks = Math.min(share[s], clients.length);
    return Array.from(
      { length: picks },
      (_, k) => clients[Math.floor((k * clients.length) / picks)],
    );
  });

  return senders.sort((a, b) => a - b);
}
