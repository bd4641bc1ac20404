import type { MetricMeasurements } from '@pm2/io/build/main/services/metrics.js';

/** Histograms show their mean (the enum's value, without loading it). */
const MEAN = 'mean' as MetricMeasurements;

/**
 * The instance's figures in `pm2 monit` (and `pm2 jlist`, under
 * `axm_monitor`), reported only when PM2 runs the process: elsewhere
 * nobody listens, and the library's timers would keep a test alive.
 *
 * Importing @pm2/io starts it with HTTP instrumentation that wraps the
 * server the WebSocket upgrades go through, and with its own handler of
 * uncaught exceptions; it is started again here with both off.
 */
const io =
  process.env.pm_id === undefined
    ? undefined
    : (await import('@pm2/io')).default.init({
        catchExceptions: false,
        profiling: false,
        metrics: { http: false, network: false, v8: true, eventLoop: true },
      });

/** Metric names as `pm2 monit` shows them; docs/metrics.md lists them. */
export const Pm2MetricName = {
  connections: 'Connections',
  rooms: 'Rooms',
  messagesIn: 'Messages in',
  deliveriesOut: 'Deliveries out',
  busRoundTrip: 'Bus round trip',
  storeWrite: 'Store write',
} as const;

export class Pm2Monitor {
  private readonly connectionsGauge = io?.metric({
    name: Pm2MetricName.connections,
  });
  private readonly roomsGauge = io?.metric({ name: Pm2MetricName.rooms });
  private readonly messagesIn = io?.meter({
    name: Pm2MetricName.messagesIn,
    unit: 'msg/s',
  });
  private readonly deliveries = io?.meter({
    name: Pm2MetricName.deliveriesOut,
    unit: 'msg/s',
  });
  private readonly busRoundTripMs = io?.histogram({
    name: Pm2MetricName.busRoundTrip,
    measurement: MEAN,
    unit: 'ms',
  });
  private readonly storeWriteMs = io?.histogram({
    name: Pm2MetricName.storeWrite,
    measurement: MEAN,
    unit: 'ms',
  });

  connections(count: number): void {
    this.connectionsGauge?.set(count);
  }

  rooms(count: number): void {
    this.roomsGauge?.set(count);
  }

  messageIn(storeSeconds: number): void {
    this.messagesIn?.mark();
    this.storeWriteMs?.update(storeSeconds * 1000);
  }

  deliveriesOut(count: number): void {
    this.deliveries?.mark(count);
  }

  busRoundTrip(seconds: number): void {
    this.busRoundTripMs?.update(seconds * 1000);
  }
}
