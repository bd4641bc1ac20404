import WebSocket from 'ws';

import type { ClientSpec } from './load-messages.js';
import { stringField, type FrameDialect } from './frame-dialect.js';

/** What a client does with a delivered message frame. */
export type MessageSink = (recipient: number, frame: Buffer) => void;

/** Counters that every client of a worker adds to. */
export interface ClientCounters {
  acks: number;
  errors: number;
  dropped: number;
}

/**
 * One simulated user: a WebSocket that greets, joins its room, then sends
 * when told and hands every delivered message to the worker's sink.
 */
export class LoadClient {
  server = '';
  private socket: WebSocket | undefined;
  private nextAckId = 1;
  private joined = false;

  constructor(
    readonly spec: ClientSpec,
    private readonly dialect: FrameDialect,
    private readonly sink: MessageSink,
    private readonly counters: ClientCounters,
  ) {}

  get open(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Connects and joins; resolves once the join is answered. */
  connect(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      // The servers are our own and their frames are read by indexOf
      // alone: validating their UTF-8 would only cost the generator.
      const socket = new WebSocket(this.spec.url, {
        perMessageDeflate: false,
        handshakeTimeout: timeoutMs,
        skipUTF8Validation: true,
      });
      this.socket = socket;
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new Error(`client ${this.spec.index} not joined in time`));
      }, timeoutMs);

      socket.on('open', () => {
        if (this.dialect.opening) socket.send(this.dialect.opening);
      });
      socket.on('message', (frame: Buffer) => {
        const kind = this.dialect.classify(frame);

        if (kind === 'message') {
          this.sink(this.spec.index, frame);
        } else if (kind === 'ack') {
          this.counters.acks++;
        } else if (kind === 'hello') {
          socket.send(this.dialect.join(this.spec.room, this.spec.nick));
        } else if (kind === 'joined') {
          this.joined = true;
          this.server = stringField(frame, 'server') ?? 'unknown';
          clearTimeout(timer);
          resolve();
        } else if (kind === 'ping' && this.dialect.pong) {
          socket.send(this.dialect.pong);
        } else if (kind === 'error') {
          this.counters.errors++;
          if (!this.joined) {
            clearTimeout(timer);
            reject(
              new Error(`join refused: ${frame.toString('utf8', 0, 200)}`),
            );
          }
        }
      });
      socket.on('unexpected-response', (_req, res) => {
        clearTimeout(timer);
        reject(new Error(`upgrade refused with ${res.statusCode}`));
        socket.terminate();
      });
      socket.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      socket.on('close', () => {
        if (this.joined) this.counters.dropped++;
      });
    });
  }

  /** Sends one message; false when the socket is not open. */
  send(id: string, text: string): boolean {
    if (!this.open || !this.socket) {
      return false;
    }

    this.socket.send(
      this.dialect.send(this.spec.room, id, text, this.nextAckId++),
    );
    return true;
  }

  close(): void {
    this.joined = false;
    this.socket?.terminate();
  }
}
