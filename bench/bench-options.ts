import { parseArgs } from 'node:util';

/** Every size and limit of a bench run; each has a flag. */
export interface BenchOptions {
  quick: boolean;
  /** Folder for latest.json, latest.md and latency.svg. */
  outDir: string;
  /** Load generator threads. */
  workers: number;
  /** Systems to measure: chat, chat-redis-pg, ws-ceiling, socketio. */
  systems: string[];
  /** Length of one measured step, in seconds. */
  stepSeconds: number;
  /** Warm-up before the first step of a system, in seconds. */
  warmupSeconds: number;
  /** The latency a held rate keeps p99 under, in ms. */
  maxP99Ms: number;
  fanOutClients: number;
  fanOutSenders: number;
  fanOutRates: number[];
  /** Rates the sustained ramp tries, in order, until one is not held. */
  rampRates: number[];
  manyRoomsCount: number;
  manyRoomsSize: number;
  manyRoomsRates: number[];
  idleClients: number;
  idleRoomSize: number;
  /** Handshakes under way at once while connecting idle clients. */
  connectConcurrency: number;
  /** Length of each step of the linearity check, in seconds. */
  scalingSeconds: number;
  /** Longest wait before a step for other work on the machine to pause. */
  quietWaitSeconds: number;
}

const FULL = {
  stepSeconds: 10,
  warmupSeconds: 3,
  fanOutClients: 200,
  fanOutSenders: 10,
  fanOutRates: [100, 200, 400],
  rampRates: [
    100, 200, 300, 400, 500, 600, 700, 800, 1000, 1200, 1500, 1800, 2100, 2500,
    3000,
  ],
  manyRoomsCount: 400,
  manyRoomsSize: 5,
  manyRoomsRates: [200, 400, 800, 1600, 2400, 3200],
  idleClients: 5000,
  scalingSeconds: 6,
  quietWaitSeconds: 15,
};

const QUICK: typeof FULL = {
  stepSeconds: 1,
  warmupSeconds: 0.3,
  fanOutClients: 20,
  fanOutSenders: 4,
  fanOutRates: [20, 40],
  rampRates: [40, 80],
  manyRoomsCount: 10,
  manyRoomsSize: 5,
  manyRoomsRates: [20, 40],
  idleClients: 100,
  scalingSeconds: 1,
  quietWaitSeconds: 0,
};

function numbers(text: string): number[] {
  return text.split(',').map((part) => {
    const value = Number(part);
    if (!Number.isFinite(value) || value < 0) {
      throw new Error(`"${part}" is not a number ≥ 0`);
    }
    return value;
  });
}

/** Reads the flags; `--quick` makes every default tiny. */
export function parseBenchOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      out: { type: 'string', default: 'bench/results' },
      workers: { type: 'string', default: '2' },
      systems: {
        type: 'string',
        default: 'chat,chat-redis-pg,ws-ceiling,socketio',
      },
      'step-seconds': { type: 'string' },
      'warmup-seconds': { type: 'string' },
      'max-p99-ms': { type: 'string', default: '100' },
      'fanout-clients': { type: 'string' },
      'fanout-senders': { type: 'string' },
      'fanout-rates': { type: 'string' },
      'ramp-rates': { type: 'string' },
      rooms: { type: 'string' },
      'room-size': { type: 'string' },
      'rooms-rates': { type: 'string' },
      'idle-clients': { type: 'string' },
      'idle-room-size': { type: 'string', default: '5' },
      'connect-concurrency': { type: 'string', default: '400' },
      'scaling-seconds': { type: 'string' },
      'quiet-wait-seconds': { type: 'string' },
    },
    strict: true,
  });
  const base = values.quick ? QUICK : FULL;
  const num = (text: string | undefined, fallback: number) =>
    text === undefined ? fallback : numbers(text)[0];
  const list = (text: string | undefined, fallback: number[]) =>
    text === undefined ? fallback : numbers(text);

  return {
    quick: values.quick,
    outDir: values.out,
    workers: num(values.workers, 2),
    systems: values.systems.split(','),
    stepSeconds: num(values['step-seconds'], base.stepSeconds),
    warmupSeconds: num(values['warmup-seconds'], base.warmupSeconds),
    maxP99Ms: num(values['max-p99-ms'], 100),
    fanOutClients: num(values['fanout-clients'], base.fanOutClients),
    fanOutSenders: num(values['fanout-senders'], base.fanOutSenders),
    fanOutRates: list(values['fanout-rates'], base.fanOutRates),
    rampRates: list(values['ramp-rates'], base.rampRates),
    manyRoomsCount: num(values.rooms, base.manyRoomsCount),
    manyRoomsSize: num(values['room-size'], base.manyRoomsSize),
    manyRoomsRates: list(values['rooms-rates'], base.manyRoomsRates),
    idleClients: num(values['idle-clients'], base.idleClients),
    idleRoomSize: num(values['idle-room-size'], 5),
    connectConcurrency: num(values['connect-concurrency'], 400),
    scalingSeconds: num(values['scaling-seconds'], base.scalingSeconds),
    quietWaitSeconds: num(values['quiet-wait-seconds'], base.quietWaitSeconds),
  };
}
