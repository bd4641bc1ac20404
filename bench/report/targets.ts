import type { SystemResult } from '../system-run.js';
import type { StepResult } from '../scenarios/step-runner.js';

/** One target of the chat, judged from the figures of one run. */
export interface TargetCheck {
  target: string;
  /** The measured figure, as it reads in the table. */
  measured: string;
  /** true met, false missed, null not judged (a system was not measured). */
  met: boolean | null;
}

type Systems = Partial<Record<SystemResult['name'], SystemResult>>;

const KB = 1024;

/**
 * The step both systems held at the highest common offered rate, for a
 * comparison at equal load; the first common step when none was held.
 */
function commonStep(
  a: StepResult[],
  b: StepResult[],
): [StepResult, StepResult] | undefined {
  const pairs = a
    .map((step) => [step, b.find((o) => o.offeredRate === step.offeredRate)])
    .filter((pair): pair is [StepResult, StepResult] => pair[1] !== undefined);
  const held = pairs.filter(([x, y]) => x.held && y.held);

  return held.at(-1) ?? pairs[0];
}

function check(
  target: string,
  value: number | undefined,
  format: (v: number) => string,
  passes: (v: number) => boolean,
): TargetCheck {
  if (value === undefined || !Number.isFinite(value)) {
    return { target, measured: 'not measured', met: null };
  }

  return { target, measured: format(value), met: passes(value) };
}

const times = (v: number) => `${v.toFixed(2)}×`;

/** Judges every target of the brief from one run's results. */
export function judgeTargets(results: SystemResult[]): TargetCheck[] {
  const by: Systems = Object.fromEntries(results.map((r) => [r.name, r]));
  const chat = by.chat;
  const peer = by.socketio?.skipped ? undefined : by.socketio;
  const ceiling = by['ws-ceiling'];
  const chatMax = chat?.sustained?.maxHeldDeliveriesPerSecond;
  const ratio = (a?: number, b?: number) =>
    a !== undefined && b !== undefined && b > 0 ? a / b : undefined;

  const cpuPair =
    chat?.fanOut && peer?.fanOut
      ? commonStep(chat.fanOut.steps, peer.fanOut.steps)
      : undefined;
  const gateways =
    chat?.idle?.processes.filter((p) => p.process.startsWith('gateway')) ?? [];
  const worstGateway = gateways.length
    ? Math.max(...gateways.map((p) => p.bytesPerConnection))
    : undefined;
  const balancer = chat?.idle?.processes.find((p) => p.process === 'balancer');
  const cost = chat?.balancerCost;

  return [
    check(
      'sustained cross-instance deliveries/s ≥ 1.5× the peer',
      ratio(chatMax, peer?.sustained?.maxHeldDeliveriesPerSecond),
      times,
      (v) => v >= 1.5,
    ),
    check(
      'sustained cross-instance deliveries/s ≥ 0.5× the ws ceiling',
      ratio(chatMax, ceiling?.sustained?.maxHeldDeliveriesPerSecond),
      times,
      (v) => v >= 0.5,
    ),
    check(
      `CPU per delivery ≤ 2/3 of the peer's (at ${cpuPair?.[0].offeredRate ?? '?'} msg/s)`,
      cpuPair
        ? ratio(
            cpuPair[0].cpuMicrosPerDelivery,
            cpuPair[1].cpuMicrosPerDelivery,
          )
        : undefined,
      times,
      (v) => v <= 2 / 3,
    ),
    check(
      `p99 at the peer's half maximum (${peer?.atPeerHalfMax?.offeredRate ?? '?'} msg/s) ≤ half of the peer's`,
      ratio(chat?.atPeerHalfMax?.p99Ms, peer?.atPeerHalfMax?.p99Ms),
      times,
      (v) => v <= 0.5,
    ),
    check(
      'sustained maximum through the balancer ≥ 85% of direct',
      cost?.sustainedRatio,
      (v) => `${(v * 100).toFixed(0)}%`,
      (v) => v >= 0.85,
    ),
    check(
      'balancer adds < 1 ms at p50',
      cost?.addedP50Ms,
      (v) => `${v.toFixed(2)} ms`,
      (v) => v < 1,
    ),
    check(
      '≤ 8 KB per idle joined connection on a gateway',
      worstGateway,
      (v) => `${(v / KB).toFixed(1)} KB`,
      (v) => v <= 8 * KB,
    ),
    check(
      '≤ 16 KB per idle connection on the balancer',
      balancer?.bytesPerConnection,
      (v) => `${(v / KB).toFixed(1)} KB`,
      (v) => v <= 16 * KB,
    ),
    check(
      `${chat?.idle?.clients ?? 5000} connections joined in < 3 s`,
      chat?.idle?.connectMs,
      (v) => `${(v / 1000).toFixed(2)} s`,
      (v) => v < 3000,
    ),
  ];
}
