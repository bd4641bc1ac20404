import { connectAll, roomClients, type BenchContext } from './bench-context.js';
import {
  measureSustainedMax,
  type SustainedResult,
} from './sustained-max.scenario.js';

/** Scenario 3's result. */
export interface ManyRoomsResult extends SustainedResult {
  rooms: number;
  roomSize: number;
  servers: Record<string, number>;
}

/**
 * Scenario 3, many rooms: small rooms spread over both instances, every
 * client a sender at a slow rate; the total rate ramps until not held.
 */
export async function measureManyRooms(
  ctx: BenchContext,
): Promise<ManyRoomsResult> {
  const { manyRoomsCount: rooms, manyRoomsSize: size } = ctx.options;
  const clients = roomClients(
    ctx,
    'rooms',
    rooms * size,
    size,
    () => ctx.system.entryUrl,
  );
  const connection = await connectAll(ctx, clients);

  try {
    const ramp = await measureSustainedMax(ctx, {
      senders: clients.map((c) => c.index),
      roomSize: size,
      rates: ctx.options.manyRoomsRates,
    });

    return { rooms, roomSize: size, servers: connection.servers, ...ramp };
  } finally {
    await ctx.fleet.closeClients();
  }
}
