import type { BenchOptions } from '../bench-options.js';
import type { LoadFleet } from '../load/load-fleet.js';
import type { ClientSpec } from '../load/load-messages.js';
import type { ProgressReporter } from '../progress-reporter.js';
import type { SystemUnderTest } from '../systems/system-under-test.js';

/** What every scenario of one system works with. */
export interface BenchContext {
  readonly options: BenchOptions;
  readonly system: SystemUnderTest;
  readonly fleet: LoadFleet;
  readonly progress: ProgressReporter;
  /** A new step number: message ids carry it, so steps never mix. */
  nextStep(): number;
  /** A room name no earlier scenario of this run used. */
  roomName(scenario: string, n: number): string;
}

/** Clients of rooms of `roomSize`, client i in room floor(i / roomSize). */
export function roomClients(
  ctx: BenchContext,
  scenario: string,
  count: number,
  roomSize: number,
  urlFor: (index: number) => string,
): ClientSpec[] {
  return Array.from({ length: count }, (_, index) => ({
    index,
    url: urlFor(index),
    room: ctx.roomName(scenario, Math.floor(index / roomSize)),
    nick: `u${index}`,
  }));
}

/** Connects clients and throws unless every one of them joined. */
export async function connectAll(
  ctx: BenchContext,
  clients: ClientSpec[],
  concurrency = ctx.options.connectConcurrency,
) {
  ctx.progress.stage(`connecting ${clients.length} clients`);
  const connection = await ctx.fleet.connect(clients, concurrency);
  if (connection.failed > 0) {
    throw new Error(
      `${connection.failed} of ${clients.length} clients did not join: ` +
        `${connection.firstError}`,
    );
  }

  return connection;
}
