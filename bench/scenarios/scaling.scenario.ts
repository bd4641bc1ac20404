import { connectAll, roomClients, type BenchContext } from './bench-context.js';
import { runStep, spreadSenders, type StepResult } from './step-runner.js';

/** One configuration of the linearity check. */
export interface ScalingPoint {
  rooms: number;
  roomSize: number;
  rate: number;
  step: StepResult;
  /** System CPU per message sent, in microseconds. */
  cpuMicrosPerMessage: number;
}

/** The extra check: does CPU per message grow as the work does? */
export interface ScalingResult {
  roomSize: ScalingPoint[];
  roomCount: ScalingPoint[];
  /** CPU per message at double room size / at single (2 if linear). */
  roomSizeRatio: number;
  /** CPU per message at double room count / at single (1 if linear). */
  roomCountRatio: number;
}

/**
 * Doubles the room size at one message rate (work per message should
 * double), then doubles the number of rooms of 5 at one rate per room
 * (work per message should stay the same).
 */
export async function measureScaling(
  ctx: BenchContext,
): Promise<ScalingResult> {
  const base = ctx.options.quick ? 10 : 100;
  const roomSize = [
    await point(ctx, 1, base, 50, 10),
    await point(ctx, 1, base * 2, 50, 10),
  ];
  const rooms = ctx.options.quick ? 10 : 200;
  const perRoom = 1;
  const roomCount = [
    await point(ctx, rooms, 5, rooms * perRoom, rooms * 5),
    await point(ctx, rooms * 2, 5, rooms * 2 * perRoom, rooms * 10),
  ];

  return {
    roomSize,
    roomCount,
    roomSizeRatio: ratio(roomSize),
    roomCountRatio: ratio(roomCount),
  };
}

async function point(
  ctx: BenchContext,
  rooms: number,
  roomSize: number,
  rate: number,
  senderCount: number,
): Promise<ScalingPoint> {
  const clients = roomClients(
    ctx,
    `scale-${rooms}x${roomSize}`,
    rooms * roomSize,
    roomSize,
    () => ctx.system.entryUrl,
  );
  await connectAll(ctx, clients, 100);

  try {
    const senders =
      senderCount >= clients.length
        ? clients.map((c) => c.index)
        : spreadSenders(clients.length, senderCount, ctx.options.workers);
    const step = await runStep(ctx, {
      label: `${rooms} room(s) of ${roomSize}`,
      senders,
      rate,
      seconds: ctx.options.scalingSeconds,
      roomSize,
    });

    return {
      rooms,
      roomSize,
      rate,
      step,
      cpuMicrosPerMessage: step.sent > 0 ? (step.cpuMs * 1000) / step.sent : 0,
    };
  } finally {
    await ctx.fleet.closeClients();
  }
}

function ratio([single, double]: ScalingPoint[]): number {
  return single.cpuMicrosPerMessage > 0
    ? double.cpuMicrosPerMessage / single.cpuMicrosPerMessage
    : 0;
}
