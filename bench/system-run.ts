import type { BenchOptions } from './bench-options.js';
import { LoadFleet } from './load/load-fleet.js';
import type { ProgressReporter } from './progress-reporter.js';
import {
  measureBalancerCost,
  type BalancerCostResult,
} from './scenarios/balancer-cost.scenario.js';
import type { BenchContext } from './scenarios/bench-context.js';
import {
  measureFanOut,
  openFanOutRoom,
  type FanOutResult,
} from './scenarios/fan-out.scenario.js';
import {
  measureIdleConnections,
  type IdleResult,
} from './scenarios/idle-connections.scenario.js';
import {
  measureManyRooms,
  type ManyRoomsResult,
} from './scenarios/many-rooms.scenario.js';
import {
  measureScaling,
  type ScalingResult,
} from './scenarios/scaling.scenario.js';
import {
  measureSustainedMax,
  type SustainedResult,
} from './scenarios/sustained-max.scenario.js';
import { runStep, type StepResult } from './scenarios/step-runner.js';
import {
  SYSTEM_LABELS,
  type SystemName,
  type SystemUnderTest,
} from './systems/system-under-test.js';

/** Everything measured of one system; absent parts were not run. */
export interface SystemResult {
  name: SystemName;
  label: string;
  /** Set when the system was not measured, with the reason. */
  skipped?: string;
  fanOut?: FanOutResult;
  sustained?: SustainedResult;
  manyRooms?: ManyRoomsResult;
  idle?: IdleResult;
  balancerCost?: BalancerCostResult;
  scaling?: ScalingResult;
  /** Scenario 1 at half of the peer's sustained maximum rate. */
  atPeerHalfMax?: StepResult;
}

/** The rate of the step at the peer's half maximum, once it is known. */
export type ReferenceRate = (own: SustainedResult) => number | undefined;

/** Starts a system; every start gives a fresh one. */
export type SystemStarter = () => Promise<SystemUnderTest>;

/** Systems running now, so that a signal can stop them. */
export const runningSystems = new Set<SystemUnderTest>();

let stepCounter = 0;
const runId = Date.now().toString(36);

async function withSystem<T>(
  start: SystemStarter,
  options: BenchOptions,
  progress: ProgressReporter,
  work: (ctx: BenchContext) => Promise<T>,
): Promise<T> {
  const system = await start();
  runningSystems.add(system);
  const fleet = LoadFleet.start(options.workers, system.dialect);
  const ctx: BenchContext = {
    options,
    system,
    fleet,
    progress,
    nextStep: () => ++stepCounter,
    roomName: (scenario, n) => `${scenario}-${runId}-${n}`,
  };

  try {
    return await work(ctx);
  } finally {
    progress.stage('stopping');
    await fleet.stop();
    await system.stop();
    runningSystems.delete(system);
  }
}

/**
 * Measures scenario 1 only, the room fan-out, on one start: for a variant
 * of a system whose other figures the full measurement gives.
 */
export async function measureFanOutOnly(
  name: SystemName,
  start: SystemStarter,
  options: BenchOptions,
  progress: ProgressReporter,
): Promise<SystemResult> {
  const result: SystemResult = { name, label: SYSTEM_LABELS[name] };

  progress.enter(name, 'fan-out');
  await withSystem(start, options, progress, async (ctx) => {
    const room = await openFanOutRoom(ctx, 'fanout', () => ctx.system.entryUrl);
    result.fanOut = await measureFanOut(ctx, room);
    await ctx.fleet.closeClients();
  });

  return result;
}

/**
 * Measures one system: the fan-out steps and the sustained ramp on one
 * start, the chat's own scenarios (balancer cost, many rooms, linearity)
 * on the same, and the idle connections on a fresh start, so that its
 * memory baseline is clean.
 */
export async function measureSystem(
  name: SystemName,
  start: SystemStarter,
  options: BenchOptions,
  progress: ProgressReporter,
  referenceRate: ReferenceRate = () => undefined,
): Promise<SystemResult> {
  const result: SystemResult = { name, label: SYSTEM_LABELS[name] };

  progress.enter(name, 'fan-out');
  await withSystem(start, options, progress, async (ctx) => {
    const room = await openFanOutRoom(ctx, 'fanout', () => ctx.system.entryUrl);
    result.fanOut = await measureFanOut(ctx, room);

    progress.enter(name, 'sustained maximum');
    result.sustained = await measureSustainedMax(ctx, {
      senders: room.senders,
      roomSize: room.roomSize,
      rates: options.rampRates,
    });

    const rate = referenceRate(result.sustained);
    if (rate !== undefined && rate > 0) {
      progress.enter(name, "at the peer's half maximum");
      result.atPeerHalfMax = await runStep(ctx, {
        label: `${rate} msg/s`,
        senders: room.senders,
        rate,
        seconds: options.stepSeconds,
        roomSize: room.roomSize,
      });
    }

    if (name !== 'chat') {
      await ctx.fleet.closeClients();
      return;
    }

    progress.enter(name, 'balancer cost');
    const held = result.sustained.maxHeldRate;
    result.balancerCost = await measureBalancerCost(ctx, {
      balancedRoom: room,
      rate: Math.max(options.rampRates[0], Math.round(held / 2)),
      balancedMaxRate: held,
    });

    progress.enter(name, 'many rooms');
    result.manyRooms = await measureManyRooms(ctx);

    progress.enter(name, 'linearity');
    result.scaling = await measureScaling(ctx);
  });

  progress.enter(name, 'idle connections');
  result.idle = await withSystem(start, options, progress, (ctx) =>
    measureIdleConnections(ctx),
  );

  return result;
}
