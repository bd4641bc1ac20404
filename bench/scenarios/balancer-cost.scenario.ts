import type { BenchContext } from './bench-context.js';
import type { FanOutRoom } from './fan-out.scenario.js';
import { openFanOutRoom } from './fan-out.scenario.js';
import { runStep, type StepResult } from './step-runner.js';
import {
  measureSustainedMax,
  type SustainedResult,
} from './sustained-max.scenario.js';

/** Scenario 5's result. */
export interface BalancerCostResult {
  /** The rate of the side-by-side steps. */
  rate: number;
  throughBalancer: StepResult;
  direct: StepResult;
  directServers: Record<string, number>;
  /** The sustained ramp with every client on a gateway's own port. */
  directRamp: SustainedResult;
  /** Highest held rate through the balancer / highest held direct. */
  sustainedRatio: number;
  /** Deliveries/s through the balancer / direct, at `rate`. */
  throughputRatio: number;
  addedP50Ms: number;
  addedP99Ms: number;
}

/**
 * Scenario 5, the balancer's cost: the fan-out room at one rate through the
 * balancer, then the same room with every client on a gateway's own port
 * (alternating), at the same rate and ramped to its sustained maximum.
 */
export async function measureBalancerCost(
  ctx: BenchContext,
  input: { balancedRoom: FanOutRoom; rate: number; balancedMaxRate: number },
): Promise<BalancerCostResult> {
  const throughBalancer = await runStep(ctx, {
    label: `through the balancer at ${input.rate} msg/s`,
    senders: input.balancedRoom.senders,
    rate: input.rate,
    seconds: ctx.options.stepSeconds,
    roomSize: input.balancedRoom.roomSize,
  });
  await ctx.fleet.closeClients();

  const urls = ctx.system.directUrls;
  const room = await openFanOutRoom(
    ctx,
    'direct',
    (i) => urls[i % urls.length],
  );
  try {
    const direct = await runStep(ctx, {
      label: `direct at ${input.rate} msg/s`,
      senders: room.senders,
      rate: input.rate,
      seconds: ctx.options.stepSeconds,
      roomSize: room.roomSize,
    });
    const directRamp = await measureSustainedMax(ctx, {
      senders: room.senders,
      roomSize: room.roomSize,
      rates: ctx.options.rampRates,
    });

    return {
      rate: input.rate,
      throughBalancer,
      direct,
      directServers: room.servers,
      directRamp,
      sustainedRatio:
        directRamp.maxHeldRate > 0
          ? input.balancedMaxRate / directRamp.maxHeldRate
          : 0,
      throughputRatio:
        direct.deliveriesPerSecond > 0
          ? throughBalancer.deliveriesPerSecond / direct.deliveriesPerSecond
          : 0,
      addedP50Ms: throughBalancer.p50Ms - direct.p50Ms,
      addedP99Ms: throughBalancer.p99Ms - direct.p99Ms,
    };
  } finally {
    await ctx.fleet.closeClients();
  }
}
