import type { WebSocket, WebSocketServer } from 'ws';

/**
 * Pings every client each `intervalMs` and terminates one that has not
 * answered the previous ping. A frozen tab or a half-open TCP connection
 * sends no close; without this its member would stay in every list.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private lastBeatAt = performance.now();

  constructor(
    private readonly server: WebSocketServer,
    private readonly intervalMs: number,
    private readonly onTimeout: (socket: WebSocket) => void,
  ) {}

  start(): void {
    this.server.on('connection', (socket: WebSocket) => {
      socket.on('pong', answered);
    });

    this.lastBeatAt = performance.now();
    this.timer = setInterval(() => this.beat(), this.intervalMs);
    this.server.once('close', () => this.stop());
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private beat(): void {
    // A beat that comes much later than due followed a stalled event loop:
    // the pongs may be sitting unread in the sockets, so nobody is judged
    // on this round.
    const now = performance.now();
    const stalled = now - this.lastBeatAt > this.intervalMs * 1.5;
    this.lastBeatAt = now;

    for (const socket of this.server.clients) {
      if (awaitingPong.has(socket) && !stalled) {
        this.onTimeout(socket);
        socket.terminate();
        continue;
      }

      awaitingPong.add(socket);
      socket.ping();
    }
  }
}

/**
 * Sockets pinged and not yet answered. Shared by every heartbeat (a socket
 * belongs to one server), so that one listener function serves every
 * socket instead of a closure per connection.
 */
const awaitingPong = new WeakSet<WebSocket>();

function answered(this: WebSocket): void {
  awaitingPong.delete(this);
}
