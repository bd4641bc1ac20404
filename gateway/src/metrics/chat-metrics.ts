import {
  Counter,
  Gauge,
  Histogram,
  Registry,
  collectDefaultMetrics,
} from 'prom-client';

import { Pm2Monitor } from './pm2-monitor.js';

/**
 * What an instance counts about itself, for Prometheus at `/metrics` and
 * for `pm2 monit`. The names follow Prometheus conventions (`_total` for
 * counters, base units in the name); docs/metrics.md lists them.
 */
export class ChatMetrics {
  readonly registry = new Registry();
  private readonly connections: Gauge;
  private readonly rooms: Gauge;
  private readonly accepted: Counter;
  private readonly deliveriesCounter: Counter;
  private readonly rejected: Counter<'code'>;
  private readonly storeWrite: Histogram;
  private readonly busRoundTrip: Histogram;
  private readonly framesHeld: Counter;
  private readonly windowWrites: Counter;
  private readonly monitor = new Pm2Monitor();
  // Plain running totals beside the counters: prom-client reads its own
  // asynchronously, and /readyz answers from these on every probe.
  private acceptedTotal = 0;
  private deliveriesTotal = 0;

  constructor(instance: string) {
    this.registry.setDefaultLabels({ instance });
    collectDefaultMetrics({ register: this.registry });

    const registers = [this.registry];
    this.connections = new Gauge({
      name: 'chat_connections',
      help: 'Open WebSocket connections on this instance',
      registers,
    });
    this.rooms = new Gauge({
      name: 'chat_rooms',
      help: 'Rooms with at least one member on this instance',
      registers,
    });
    this.accepted = new Counter({
      name: 'chat_messages_accepted_total',
      help: 'Messages this instance stored and acknowledged',
      registers,
    });
    this.deliveriesCounter = new Counter({
      name: 'chat_deliveries_total',
      help: 'Message frames sent to members on this instance',
      registers,
    });
    this.rejected = new Counter({
      name: 'chat_frames_rejected_total',
      help: 'Client frames answered with an error, by code',
      labelNames: ['code'],
      registers,
    });
    this.storeWrite = new Histogram({
      name: 'chat_store_write_seconds',
      help: 'Time to store one message',
      buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1],
      registers,
    });
    this.busRoundTrip = new Histogram({
      name: 'chat_bus_roundtrip_seconds',
      help: 'Time from publishing a message to receiving it back from the bus',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
      registers,
    });
    this.framesHeld = new Counter({
      name: 'chat_window_frames_total',
      help: 'Frames and bus publishes that waited in the write window',
      registers,
    });
    this.windowWrites = new Counter({
      name: 'chat_window_writes_total',
      help: 'Socket writes the write window let them out in',
      registers,
    });
  }

  connectionsChanged(count: number): void {
    this.connections.set(count);
    this.monitor.connections(count);
  }

  roomsChanged(count: number): void {
    this.rooms.set(count);
    this.monitor.rooms(count);
  }

  /** Messages stored and acknowledged here since the process started. */
  get messagesAccepted(): number {
    return this.acceptedTotal;
  }

  /** Message frames sent to members here since the process started. */
  get deliveries(): number {
    return this.deliveriesTotal;
  }

  messageAccepted(storeSeconds: number): void {
    this.acceptedTotal += 1;
    this.accepted.inc();
    this.storeWrite.observe(storeSeconds);
    this.monitor.messageIn(storeSeconds);
  }

  delivered(count: number): void {
    this.deliveriesTotal += count;
    this.deliveriesCounter.inc(count);
    this.monitor.deliveriesOut(count);
  }

  frameRejected(code: string): void {
    this.rejected.inc({ code });
  }

  busRoundTripped(seconds: number): void {
    this.busRoundTrip.observe(seconds);
    this.monitor.busRoundTrip(seconds);
  }

  /** A write window closed: `frames` left in `writes` socket writes. */
  windowReleased(frames: number, writes: number): void {
    this.framesHeld.inc(frames);
    this.windowWrites.inc(writes);
  }

  /** The Prometheus text exposition of every metric. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}

/** Injection token of the ChatMetrics. */
export const CHAT_METRICS = Symbol('CHAT_METRICS');
