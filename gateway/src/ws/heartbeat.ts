import type { WebSocket, WebSocketServer } from 'ws';

/**
 * Pings every client each `intervalMs` and terminates one that has not
 * answered the previous ping. A frozen tab or a half-open TCP connection
 * sends no close; without this its member would stay in every list.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly server: WebSocketServer,
    private readonly intervalMs: number,
    private readonly onTimeout: (socket: WebSocket) => void,
  ) {}

  start(): void {
    this.server.on('connection', (socket: WebSocket) => {
      socket.on('pong', answered);
    });

    this.timer = setInterval(() => this.beat(), this.intervalMs);
    this.server.once('close', () => this.stop());
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private beat(): void {
    for (const socket of this.server.clients) {
      if (awaitingPong.has(socket)) {
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
