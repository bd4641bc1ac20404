import type { Socket } from 'node:net';

import WebSocket from 'ws';

import type {
  ChatMessage,
  ClientEventData,
  Member,
  ServerEventData,
} from '../../gateway/src/protocol/index.js';

type EventName = keyof ServerEventData;

interface Waiter {
  event: EventName;
  match: (data: never) => boolean;
  resolve: (data: never) => void;
}

/**
 * A protocol client for tests: records every frame it receives and lets a
 * test wait for the one it expects, with a timeout.
 */
export class TestClient {
  readonly frames: { event: EventName; data: unknown }[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  /** The TCP socket under the WebSocket, once the upgrade is answered. */
  transport: Socket | undefined;
  private waiters: Waiter[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.once('upgrade', (response) => {
      this.transport = response.socket;
    });
    socket.on('message', (raw: Buffer) => this.receive(raw.toString('utf8')));
    this.closed = new Promise((resolve) => {
      socket.once('close', (code, reason) =>
        resolve({ code, reason: reason.toString() }),
      );
    });
  }

  /** Opens a connection and waits for the server's `hello`. */
  static async connect(
    url: string,
    headers: Record<string, string> = {},
  ): Promise<TestClient> {
    const socket = new WebSocket(url, { headers });
    const client = new TestClient(socket);

    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) =>
        reject(new Error(`upgrade refused with ${res.statusCode}`)),
      );
    });
    await client.waitFor('hello');

    return client;
  }

  get server(): string {
    return this.first('hello').server;
  }

  send<E extends keyof ClientEventData>(
    event: E,
    data: ClientEventData[E],
  ): void {
    this.socket.send(JSON.stringify({ event, data }));
  }

  sendRaw(text: string): void {
    this.socket.send(text);
  }

  /** The first frame of an event received so far; throws if none. */
  first<E extends EventName>(event: E): ServerEventData[E] {
    const frame = this.frames.find((f) => f.event === event);
    if (!frame) {
      throw new Error(`no ${event} frame received`);
    }

    return frame.data as ServerEventData[E];
  }

  /** Every frame of an event received so far. */
  all<E extends EventName>(event: E): ServerEventData[E][] {
    return this.frames
      .filter((f) => f.event === event)
      .map((f) => f.data as ServerEventData[E]);
  }

  /** The `message` frames of a room, in arrival order. */
  messages(room: string): ChatMessage[] {
    return this.all('message').filter((m) => m.room === room);
  }

  /**
   * Resolves with the first frame of the event that matches, received
   * earlier or later.
   */
  waitFor<E extends EventName>(
    event: E,
    match: (data: ServerEventData[E]) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<ServerEventData[E]> {
    const earlier = this.all(event).find(match);
    if (earlier) {
      return Promise.resolve(earlier);
    }

    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        event,
        match,
        resolve: (data: never) => {
          clearTimeout(timer);
          resolve(data);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out waiting for ${event} on ${this.label()}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /**
   * Waits until the room's member list, as the latest `joined` or
   * `presence` frame gave it, satisfies `match`.
   */
  async waitForMembers(
    room: string,
    match: (members: Member[]) => boolean,
    timeoutMs = 5000,
  ): Promise<Member[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const latest = this.frames
        .filter(
          (f) =>
            (f.event === 'joined' || f.event === 'presence') &&
            (f.data as { room: string }).room === room,
        )
        .at(-1)?.data as { members: Member[] } | undefined;
      if (latest && match(latest.members)) {
        return latest.members;
      }
      if (Date.now() > deadline) {
        throw new Error(`${this.label()}: members of ${room} never matched`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Waits until the room's messages number `count`. */
  async waitForMessages(
    room: string,
    count: number,
    timeoutMs = 10_000,
  ): Promise<ChatMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages(room).length < count) {
      if (Date.now() > deadline) {
        throw new Error(
          `${this.label()} has ${this.messages(room).length} of ${count}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    return this.messages(room);
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) {
      return;
    }

    this.socket.close();
    const timer = setTimeout(() => this.socket.terminate(), 2000);
    await this.closed;
    clearTimeout(timer);
  }

  private label(): string {
    const hello = this.frames.find((f) => f.event === 'hello');

    return hello ? (hello.data as { server: string }).server : 'a client';
  }

  private receive(text: string): void {
    const frame = JSON.parse(text) as { event: EventName; data: unknown };
    this.frames.push(frame);

    for (const waiter of [...this.waiters]) {
      if (waiter.event === frame.event && waiter.match(frame.data as never)) {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.resolve(frame.data as never);
      }
    }
  }
}
