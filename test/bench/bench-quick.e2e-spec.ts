import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { packageRoot } from '../../gateway/src/config/package-root.js';

interface Step {
  offeredRate: number;
  roomSize: number;
  sent: number;
  unsent: number;
  expected: number;
  delivered: number;
  lost: number;
  duplicated: number;
  echoes: number;
}

interface System {
  name: string;
  skipped?: string;
  fanOut?: { steps: Step[] };
  sustained?: { steps: Step[] };
  manyRooms?: { steps: Step[] };
  atPeerHalfMax?: Step;
  balancerCost?: {
    throughBalancer: Step;
    direct: Step;
    directRamp: { steps: Step[] };
  };
  scaling?: { roomSize: { step: Step }[]; roomCount: { step: Step }[] };
  idle?: { clients: number; processes: { process: string }[] };
}

interface Results {
  date: string;
  machine: {
    cores: number;
    memoryBytes: number;
    versions: Record<string, string>;
  };
  totals: { lost: number; duplicated: number };
  systems: System[];
}

function stepsOf(system: System): Step[] {
  return [
    ...(system.fanOut?.steps ?? []),
    ...(system.sustained?.steps ?? []),
    ...(system.manyRooms?.steps ?? []),
    ...(system.atPeerHalfMax ? [system.atPeerHalfMax] : []),
    ...(system.balancerCost
      ? [
          system.balancerCost.throughBalancer,
          system.balancerCost.direct,
          ...system.balancerCost.directRamp.steps,
        ]
      : []),
    ...(system.scaling
      ? [...system.scaling.roomSize, ...system.scaling.roomCount].map(
          (point) => point.step,
        )
      : []),
  ];
}

describe('npm run bench -- --quick', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'bench-quick-'));
  let results: Results;
  let stdout = '';

  beforeAll(async () => {
    stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        ['dist/bench/main.js', '--quick', '--out', outDir],
        { cwd: packageRoot, timeout: 100_000, maxBuffer: 16 << 20 },
        (err, out, errOut) =>
          err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out),
      );
    });
    results = JSON.parse(
      readFileSync(join(outDir, 'latest.json'), 'utf8'),
    ) as Results;
  }, 110_000);

  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('writes the results file, the table and the chart', () => {
    expect(Date.parse(results.date)).not.toBeNaN();
    expect(results.machine.cores).toBeGreaterThan(0);
    expect(results.machine.memoryBytes).toBeGreaterThan(0);
    expect(results.machine.versions.ws).toMatch(/^\d+\.\d+\.\d+$/);
    expect(readFileSync(join(outDir, 'latest.md'), 'utf8')).toContain(
      '### Targets',
    );
    expect(stdout).toContain('### Targets');
    expect(readFileSync(join(outDir, 'latency.svg'), 'utf8')).toMatch(/^<svg /);
    expect(existsSync(join(outDir, 'latest.json'))).toBe(true);
  });

  it("measures every system, or says why one needing the machine's servers was skipped", () => {
    const names = results.systems.map((s) => s.name).sort();
    expect(names).toEqual(['chat', 'chat-redis-pg', 'socketio', 'ws-ceiling']);

    for (const system of results.systems) {
      if (system.skipped) {
        expect(['socketio', 'chat-redis-pg']).toContain(system.name);
        expect(stdout).toContain(`was skipped: ${system.skipped}`);
        continue;
      }
      expect(system.fanOut?.steps.length).toBeGreaterThan(0);
      if (system.name === 'chat-redis-pg') {
        continue;
      }
      expect(system.sustained?.steps.length).toBeGreaterThan(0);
      expect(system.idle?.processes.length).toBeGreaterThan(0);
    }
    const chat = results.systems.find((s) => s.name === 'chat');
    expect(chat?.manyRooms?.steps.length).toBeGreaterThan(0);
    expect(chat?.balancerCost?.directRamp.steps.length).toBeGreaterThan(0);
    expect(chat?.scaling?.roomCount).toHaveLength(2);
  });

  it("runs the fan-out on Redis + PostgreSQL at the embedded chat's rates, when they answer", () => {
    const embedded = results.systems.find((s) => s.name === 'chat');
    const external = results.systems.find((s) => s.name === 'chat-redis-pg');
    if (external?.skipped) {
      expect(external.skipped).toMatch(/^no (Redis|PostgreSQL) answered/);
      return;
    }

    const rates = (system?: System) =>
      system?.fanOut?.steps.map((step) => step.offeredRate);
    expect(rates(external)).toEqual(rates(embedded));
    expect(external?.sustained).toBeUndefined();
    for (const step of external?.fanOut?.steps ?? []) {
      expect(step.sent).toBeGreaterThan(0);
      expect(step.delivered).toBe(step.sent * (step.roomSize - 1));
      expect(step.lost + step.duplicated + step.unsent).toBe(0);
    }
  });

  it('delivers every message sent to every other member, once', () => {
    const steps = results.systems.flatMap(stepsOf);
    expect(steps.length).toBeGreaterThan(10);

    for (const step of steps) {
      expect(step.sent).toBeGreaterThan(0);
      expect(step.unsent).toBe(0);
      expect(step.expected).toBe(step.sent * (step.roomSize - 1));
      expect(step.delivered).toBe(step.expected);
      expect(step.echoes).toBe(step.sent);
      expect(step.lost).toBe(0);
      expect(step.duplicated).toBe(0);
    }
    expect(results.totals.lost).toBe(0);
    expect(results.totals.duplicated).toBe(0);
  });
});
