import type { SystemResult } from '../system-run.js';
import type { StepResult } from '../scenarios/step-runner.js';
import type { MachineInfo } from './machine-info.js';
import type { TargetCheck } from './targets.js';

const KB = 1024;

function table(head: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;

  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join(
    '\n',
  );
}

const ms = (v: number) => v.toFixed(v < 10 ? 2 : 1);
const int = (v: number) => Math.round(v).toLocaleString('en-US');

const STEP_HEAD = [
  'system',
  'msg/s offered',
  'deliveries/s',
  'p50 ms',
  'p99 ms',
  'max ms',
  'lost',
  'dup',
  'CPU µs/delivery',
  'system cores',
  'generator cores',
  'other cores',
  'held',
];

function stepRow(label: string, step: StepResult): (string | number)[] {
  return [
    label,
    step.offeredRate,
    int(step.deliveriesPerSecond),
    ms(step.p50Ms),
    ms(step.p99Ms),
    ms(step.maxMs),
    step.lost,
    step.duplicated,
    step.cpuMicrosPerDelivery.toFixed(1),
    step.cpuCores.toFixed(2),
    step.generatorCores.toFixed(2),
    step.otherCpuCores.toFixed(2),
    step.held ? 'yes' : 'no',
  ];
}

function measured(results: SystemResult[]): SystemResult[] {
  return results.filter((r) => !r.skipped);
}

function headline(results: SystemResult[]): string {
  // A system measured in scenario 1 only has no figure for this table.
  const shown = measured(results).filter((r) => r.sustained || r.idle);
  const rows = shown.map((r) => {
    const idle = r.idle?.processes ?? [];
    const servers = idle.filter(
      (p) => p.connections > 0 && p.connections < (r.idle?.clients ?? 0),
    );
    const front = idle.find(
      (p) => p.connections === r.idle?.clients && p.connections > 0,
    );
    const perServer = (servers.length ? servers : front ? [front] : [])
      .map((p) => (p.bytesPerConnection / KB).toFixed(1))
      .join(' / ');
    const proxy =
      servers.length && front
        ? (front.bytesPerConnection / KB).toFixed(1)
        : '–';
    const best = r.sustained?.steps.filter((s) => s.held).at(-1);

    return [
      r.label,
      r.sustained ? `${r.sustained.maxHeldRate}` : '–',
      r.sustained ? int(r.sustained.maxHeldDeliveriesPerSecond) : '–',
      best ? `${ms(best.p50Ms)} / ${ms(best.p99Ms)}` : '–',
      best ? best.cpuMicrosPerDelivery.toFixed(1) : '–',
      perServer || '–',
      proxy,
      r.idle ? `${(r.idle.connectMs / 1000).toFixed(2)} s` : '–',
    ];
  });

  return table(
    [
      'system',
      'sustained msg/s',
      'deliveries/s',
      'p50 / p99 ms there',
      'CPU µs/delivery there',
      'idle KB/conn per server',
      'idle KB/conn on proxy',
      `connect ${results.find((r) => r.idle)?.idle?.clients ?? ''}`,
    ],
    rows,
  );
}

function sections(results: SystemResult[]): string[] {
  const out: string[] = [];
  const all = measured(results);
  const chat = all.find((r) => r.name === 'chat');

  out.push(
    '### 1. Room fan-out across instances',
    '',
    table(
      STEP_HEAD,
      all.flatMap((r) =>
        (r.fanOut?.steps ?? []).map((s) => stepRow(r.label, s)),
      ),
    ),
    '',
    ...all.map(
      (r) =>
        `- ${r.label}: ${r.fanOut?.clients} clients, ${r.fanOut?.senders} ` +
        `senders; clients per server: ${JSON.stringify(r.fanOut?.servers)}`,
    ),
    '',
    "Steps at the peer's half maximum rate:",
    '',
    table(
      STEP_HEAD,
      all
        .filter((r) => r.atPeerHalfMax)
        .map((r) => stepRow(r.label, r.atPeerHalfMax as StepResult)),
    ),
    '',
    '### 2. Sustained maximum (ramp until p99 > limit or a loss)',
    '',
    table(
      STEP_HEAD,
      all.flatMap((r) =>
        (r.sustained?.steps ?? []).map((s) => stepRow(r.label, s)),
      ),
    ),
    '',
    ...all
      .filter((r) => r.sustained)
      .map(
        (r) =>
          `- ${r.label}: held ${r.sustained?.maxHeldRate} msg/s ` +
          `(${int(r.sustained?.maxHeldDeliveriesPerSecond ?? 0)} deliveries/s); ` +
          `${r.sustained?.stoppedBy}`,
      ),
    '',
  );

  if (chat?.manyRooms) {
    const m = chat.manyRooms;
    out.push(
      `### 3. Many rooms (${m.rooms} rooms of ${m.roomSize}, chat)`,
      '',
      table(
        STEP_HEAD,
        m.steps.map((s) => stepRow(chat.label, s)),
      ),
      '',
      `- held ${m.maxHeldRate} msg/s in total ` +
        `(${int(m.maxHeldDeliveriesPerSecond)} deliveries/s); ${m.stoppedBy}; ` +
        `clients per server: ${JSON.stringify(m.servers)}`,
      '',
    );
  }

  out.push(
    '### 4. Idle connections',
    '',
    table(
      [
        'system',
        'process',
        'connections',
        'RSS before MB',
        'RSS after MB',
        'KB per connection',
      ],
      all.flatMap((r) =>
        (r.idle?.processes ?? []).map((p) => [
          r.label,
          p.process,
          p.connections,
          (p.rssBeforeBytes / KB / KB).toFixed(1),
          (p.rssAfterBytes / KB / KB).toFixed(1),
          p.connections ? (p.bytesPerConnection / KB).toFixed(1) : '–',
        ]),
      ),
    ),
    '',
    ...all
      .filter((r) => r.idle)
      .map(
        (r) =>
          `- ${r.label}: ${r.idle?.clients} clients in rooms of ` +
          `${r.idle?.roomSize} connected and joined in ` +
          `${((r.idle?.connectMs ?? 0) / 1000).toFixed(2)} s`,
      ),
    '',
  );

  const cost = chat?.balancerCost;
  if (chat && cost) {
    out.push(
      '### 5. Balancer cost (chat)',
      '',
      table(STEP_HEAD, [
        stepRow('through the balancer', cost.throughBalancer),
        stepRow('direct to the gateways', cost.direct),
        ...cost.directRamp.steps.map((s) => stepRow('direct, ramp', s)),
      ]),
      '',
      `- at ${cost.rate} msg/s: throughput ratio ` +
        `${(cost.throughputRatio * 100).toFixed(1)}%, added p50 ` +
        `${ms(cost.addedP50Ms)} ms, added p99 ${ms(cost.addedP99Ms)} ms`,
      `- sustained: ${chat.sustained?.maxHeldRate} msg/s through the ` +
        `balancer vs ${cost.directRamp.maxHeldRate} msg/s direct ` +
        `(${(cost.sustainedRatio * 100).toFixed(0)}%); direct ramp: ` +
        `${cost.directRamp.stoppedBy}`,
      '',
    );
  }

  const scaling = chat?.scaling;
  if (chat && scaling) {
    const rows = [...scaling.roomSize, ...scaling.roomCount].map((p) => [
      p.rooms,
      p.roomSize,
      p.rate,
      p.step.sent,
      p.step.lost,
      p.cpuMicrosPerMessage.toFixed(0),
      p.step.cpuMicrosPerDelivery.toFixed(1),
    ]);
    out.push(
      '### Linearity (chat): CPU per message when doubling',
      '',
      table(
        [
          'rooms',
          'room size',
          'msg/s',
          'sent',
          'lost',
          'CPU µs/message',
          'CPU µs/delivery',
        ],
        rows,
      ),
      '',
      `- room size ×2 at one rate: CPU per message ×` +
        `${scaling.roomSizeRatio.toFixed(2)} (2.00 if linear in deliveries)`,
      `- room count ×2 at one rate per room: CPU per message ×` +
        `${scaling.roomCountRatio.toFixed(2)} (1.00 if linear)`,
      '',
    );
  }

  return out;
}

/** The whole Markdown report of one run. */
export function markdownReport(input: {
  results: SystemResult[];
  targets: TargetCheck[];
  machine: MachineInfo;
  date: string;
  command: string;
}): string {
  const { machine } = input;
  const skipped = input.results
    .filter((r) => r.skipped)
    .map((r) => `- **${r.label} was skipped: ${r.skipped}.**`);
  const verdict = (met: boolean | null) =>
    met === null ? 'not judged' : met ? 'met' : '**not met**';

  const steps = measured(input.results).flatMap((r) => [
    ...(r.fanOut?.steps ?? []),
    ...(r.sustained?.steps ?? []),
  ]);
  const others = steps.map((s) => s.otherCpuCores);
  const meanOther = others.reduce((a, b) => a + b, 0) / (others.length || 1);
  const shared =
    meanOther > 0.2
      ? [
          `**The machine was shared:** other work used ${meanOther.toFixed(2)} ` +
            `cores on average during the fan-out and ramp steps (up to ` +
            `${Math.max(...others).toFixed(2)}), out of ${machine.cores}. ` +
            'Latency and held rates suffer most from that; CPU per delivery ' +
            'least.',
          '',
        ]
      : [];

  return [
    `## Bench results, ${input.date}`,
    '',
    `\`${input.command}\` on ${machine.cores} × ${machine.cpuModel}, ` +
      `${(machine.memoryBytes / KB ** 3).toFixed(0)} GiB, Linux ` +
      `${machine.kernel}, Node ${machine.node}, Redis ` +
      `${machine.redis ?? 'none'}. The load generator runs on the same ` +
      'cores; CPU figures are the system under test only.',
    '',
    ...shared,
    ...skipped,
    ...(skipped.length ? [''] : []),
    headline(input.results),
    '',
    '### Targets',
    '',
    table(
      ['target', 'measured', 'verdict'],
      input.targets.map((t) => [t.target, t.measured, verdict(t.met)]),
    ),
    '',
    ...sections(input.results),
  ].join('\n');
}
