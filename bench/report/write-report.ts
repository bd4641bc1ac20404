import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { packageRoot } from '../../gateway/src/config/package-root.js';
import type { BenchOptions } from '../bench-options.js';
import type { SystemResult } from '../system-run.js';
import { renderLatencyChart } from './latency-chart.js';
import { machineInfo } from './machine-info.js';
import { markdownReport } from './markdown-report.js';
import { judgeTargets } from './targets.js';

/**
 * Writes latest.json (every figure), latest.md (the tables, also printed)
 * and latency.svg into the results folder.
 */
export async function writeReport(
  options: BenchOptions,
  results: SystemResult[],
  startedAt: Date,
): Promise<void> {
  const outDir = resolve(packageRoot, options.outDir);
  mkdirSync(outDir, { recursive: true });

  const machine = await machineInfo();
  const targets = judgeTargets(results);
  const args = process.argv.slice(2).join(' ');
  const command = `npm run bench${args ? ` -- ${args}` : ''}`;
  const date = startedAt.toISOString();
  const totals = countTotals(results);

  const json = {
    date,
    finishedAt: new Date().toISOString(),
    command,
    machine,
    options,
    totals,
    targets,
    systems: results,
  };
  writeFileSync(
    resolve(outDir, 'latest.json'),
    `${JSON.stringify(json, null, 2)}\n`,
  );

  const markdown = markdownReport({ results, targets, machine, date, command });
  writeFileSync(resolve(outDir, 'latest.md'), `${markdown}\n`);
  writeFileSync(
    resolve(outDir, 'latency.svg'),
    await renderLatencyChart(results),
  );

  process.stdout.write(`${markdown}\n`);
  process.stdout.write(`\nwritten to ${outDir}\n`);
}

/** Message counts over every measured step of the run. */
function countTotals(results: SystemResult[]) {
  const steps = results.flatMap((r) => [
    ...(r.fanOut?.steps ?? []),
    ...(r.sustained?.steps ?? []),
    ...(r.manyRooms?.steps ?? []),
    ...(r.atPeerHalfMax ? [r.atPeerHalfMax] : []),
    ...(r.balancerCost
      ? [
          r.balancerCost.throughBalancer,
          r.balancerCost.direct,
          ...r.balancerCost.directRamp.steps,
        ]
      : []),
    ...(r.scaling
      ? [...r.scaling.roomSize, ...r.scaling.roomCount].map((p) => p.step)
      : []),
  ]);
  const sum = (
    key: 'sent' | 'expected' | 'delivered' | 'lost' | 'duplicated',
  ) => steps.reduce((total, step) => total + step[key], 0);

  return {
    steps: steps.length,
    sent: sum('sent'),
    expected: sum('expected'),
    delivered: sum('delivered'),
    lost: sum('lost'),
    duplicated: sum('duplicated'),
  };
}
