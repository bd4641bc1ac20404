import WebSocket from 'ws';

import type {
  ChatMessage,
  ClientFrame,
  ServerFrame,
} from '../../gateway/src/protocol/index.js';

/** One connection's life, as the peer saw it. */
export interface PeerConnection {
  server: string;
  joinedAt: number;
  closedAt?: number;
  closeCode?: number;
}

/**
 * A chat user that survives failures the way the SPA does: it reconnects
 * with full-jitter backoff, joins again with its token, resumes from the
 * last seq it holds without a gap, and resends what was not acknowledged
 * under the same id. Tests compare its view with the store's.
 */
export class ChatPeer {
  readonly messages = new Map<number, ChatMessage>();
  readonly acked = new Map<string, number>();
  readonly connections: PeerConnection[] = [];
  readonly attempts: number[] = [];
  private readonly outbox = new Map<string, string>();
  private socket: WebSocket | undefined;
  private token: string | undefined;
  private attempt = 0;
  private sent = 0;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    readonly nick: string,
    readonly room: string,
    private readonly backoff = { baseMs: 100, capMs: 2000 },
  ) {}

  /** The connection in use now, if joined. */
  get current(): PeerConnection | undefined {
    const last = this.connections.at(-1);
    return last && last.closedAt === undefined ? last : undefined;
  }

  get pending(): number {
    return this.outbox.size;
  }

  /** Seq below which this peer has every message. */
  get contiguous(): number {
    let seq = 0;
    while (this.messages.has(seq + 1)) {
      seq++;
    }
    return seq;
  }

  start(): void {
    this.open();
  }

  /** Queues a message; it is sent now or after the next join. */
  say(text: string): string {
    const id = `${this.nick}-${this.sent++}`;
    this.outbox.set(id, text);
    if (this.current) {
      this.transmit(id, text);
    }
    return id;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const socket = this.socket;
    if (!socket || socket.readyState === WebSocket.CLOSED) {
      return;
    }

    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.close(1000);
      setTimeout(() => socket.terminate(), 1000).unref();
    });
  }

  private open(): void {
    this.attempts.push(Date.now());
    const socket = new WebSocket(this.url);
    this.socket = socket;

    socket.on('message', (raw: Buffer) => {
      this.receive(JSON.parse(raw.toString('utf8')) as ServerFrame);
    });
    socket.on('error', () => undefined);
    socket.on('close', (code) => {
      const current = this.current;
      if (current) {
        current.closedAt = Date.now();
        current.closeCode = code;
      }
      this.retry();
    });
  }

  private retry(): void {
    if (this.stopped) {
      return;
    }

    const ceiling = Math.min(
      this.backoff.capMs,
      this.backoff.baseMs * 2 ** this.attempt++,
    );
    this.retryTimer = setTimeout(() => this.open(), Math.random() * ceiling);
  }

  private receive(frame: ServerFrame): void {
    switch (frame.event) {
      case 'hello':
        this.send({
          event: 'join',
          data: { room: this.room, nick: this.nick, token: this.token },
        });
        break;
      case 'joined':
        this.attempt = 0;
        this.token = frame.data.token;
        this.connections.push({
          server: frame.data.server,
          joinedAt: Date.now(),
        });
        this.merge(frame.data.history);
        this.send({
          event: 'resume',
          data: { room: this.room, after: this.contiguous },
        });
        for (const [id, text] of this.outbox) {
          this.transmit(id, text);
        }
        break;
      case 'message':
        this.merge([frame.data]);
        break;
      case 'history':
        this.merge(frame.data.messages);
        if (frame.data.messages.length >= 500) {
          this.send({
            event: 'resume',
            data: { room: this.room, after: this.contiguous },
          });
        }
        break;
      case 'ack':
        this.acked.set(frame.data.id, frame.data.seq);
        this.outbox.delete(frame.data.id);
        break;
      case 'error':
        if (frame.data.ref === this.room || frame.data.ref === 'join') {
          // The join was refused (the old session may still be listed):
          // start over on a fresh connection.
          this.socket?.close();
        }
        break;
      default:
        break;
    }
  }

  private merge(messages: ChatMessage[]): void {
    for (const message of messages) {
      const known = this.messages.get(message.seq);
      if (known && known.id !== message.id) {
        throw new Error(`seq ${message.seq} changed from ${known.id}`);
      }
      this.messages.set(message.seq, message);
    }
  }

  private transmit(id: string, text: string): void {
    this.send({ event: 'send', data: { room: this.room, text, id } });
  }

  private send(frame: ClientFrame): void {
    if (this.socket?.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(frame));
    }
  }
}
