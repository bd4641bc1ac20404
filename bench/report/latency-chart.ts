import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

import type { SystemResult } from '../system-run.js';
import type { StepResult } from '../scenarios/step-runner.js';

interface Point {
  system: string;
  percentile: string;
  rate: number;
  latencyMs: number;
}

/**
 * The room fan-out steps of a system (scenario 1 and the sustained ramp)
 * by offered rate; where both measured a rate, the ramp's step is used.
 */
function fanOutSteps(result: SystemResult): StepResult[] {
  const byRate = new Map<number, StepResult>();
  for (const step of result.fanOut?.steps ?? []) {
    byRate.set(step.offeredRate, step);
  }
  for (const step of result.sustained?.steps ?? []) {
    byRate.set(step.offeredRate, step);
  }

  return [...byRate.values()].sort((a, b) => a.offeredRate - b.offeredRate);
}

/**
 * Renders p50 and p99 latency against offered load, one line per system
 * and percentile, with Vega-Lite compiled to Vega and drawn to SVG in Node.
 */
export async function renderLatencyChart(
  results: SystemResult[],
): Promise<string> {
  const values: Point[] = results.flatMap((result) =>
    fanOutSteps(result).flatMap((step) => [
      {
        system: result.label,
        percentile: 'p50',
        rate: step.offeredRate,
        latencyMs: Math.max(step.p50Ms, 0.01),
      },
      {
        system: result.label,
        percentile: 'p99',
        rate: step.offeredRate,
        latencyMs: Math.max(step.p99Ms, 0.01),
      },
    ]),
  );

  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'End-to-end latency against offered load, room fan-out',
      subtitle: 'one room, messages sent per second by its senders',
    },
    width: 560,
    height: 320,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: {
        field: 'rate',
        type: 'quantitative',
        title: 'offered load (messages/s into the room)',
      },
      y: {
        field: 'latencyMs',
        type: 'quantitative',
        scale: { type: 'log' },
        title: 'latency, send to receipt (ms, log scale)',
      },
      color: { field: 'system', type: 'nominal', title: 'system' },
      strokeDash: { field: 'percentile', type: 'nominal', title: '' },
      detail: { field: 'percentile' },
    },
    config: { legend: { orient: 'bottom', direction: 'vertical' } },
  };

  const view = new vega.View(vega.parse(compile(spec).spec), {
    renderer: 'none',
  });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
