import type { WebSocket, WebSocketServer } from 'ws';

/**
 * Pings every client each `intervalMs` and terminates one that has not
 * answered the previous ping. A frozen tab or a half-open TCP connection
 * sends no close; without this its member would stay in every list.
 */
export class Heartbeat {
  private readonly alive = new WeakMap<WebSocket, boolean>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly server: WebSocketServer,
    private readonly intervalMs: number,
    private readonly onTimeout: (socket: WebSocket) => void,
  ) {}

  start(): void {
    this.server.on('connection', (socket: WebSocket) => {
      this.alive.set(socket, true);
      socket.on('pong', () => this.alive.set(socket, true));
    });

    this.timer = setInterval(() => this.beat(), this.intervalMs);
    this.server.once('close', () => this.stop());
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private beat(): void {
    for (const socket of this.server.clients) {
      if (this.alive.get(socket) === false) {
        this.onTimeout(socket);
        socket.terminate();
        continue;
      }

      this.alive.set(socket, false);
      socket.ping();
    }
  }
}
