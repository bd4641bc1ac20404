import type { BenchContext } from './bench-context.js';
import { runStep, type StepResult } from './step-runner.js';

/** Scenario 2's result: the ramp, and the highest rate it held. */
export interface SustainedResult {
  steps: StepResult[];
  /** Highest offered msg/s held for a whole step; 0 when none was. */
  maxHeldRate: number;
  maxHeldDeliveriesPerSecond: number;
  /** Why the ramp stopped. */
  stoppedBy: string;
}

/** Pause after a failed step, for the backlog to clear. */
const SETTLE_MS = 3000;

/**
 * Ramps the offered rate through `rates` until a step is not held (p99
 * over the limit, or anything lost, duplicated or unsent).
 */
export async function measureSustainedMax(
  ctx: BenchContext,
  input: { senders: number[]; roomSize: number; rates: number[] },
): Promise<SustainedResult> {
  const steps: StepResult[] = [];
  let best: StepResult | undefined;
  let stoppedBy = 'every rate of the ramp was held';

  for (const rate of input.rates) {
    const step = await runStep(ctx, {
      label: `ramp ${rate} msg/s`,
      senders: input.senders,
      rate,
      seconds: ctx.options.stepSeconds,
      roomSize: input.roomSize,
    });
    steps.push(step);

    if (!step.held) {
      stoppedBy = describeFailure(step, ctx.options.maxP99Ms);
      ctx.progress.stage(`settling after ${rate} msg/s`);
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      break;
    }
    best = step;
  }

  return {
    steps,
    maxHeldRate: best?.offeredRate ?? 0,
    maxHeldDeliveriesPerSecond: best?.deliveriesPerSecond ?? 0,
    stoppedBy,
  };
}

function describeFailure(step: StepResult, maxP99Ms: number): string {
  const reasons: string[] = [];
  if (step.p99Ms > maxP99Ms) {
    reasons.push(`p99 ${step.p99Ms.toFixed(1)} ms > ${maxP99Ms} ms`);
  }
  if (step.lost > 0) reasons.push(`${step.lost} lost`);
  if (step.duplicated > 0) reasons.push(`${step.duplicated} duplicated`);
  if (step.unsent > 0) reasons.push(`${step.unsent} unsent`);

  return `${step.offeredRate} msg/s not held: ${reasons.join(', ')}`;
}
