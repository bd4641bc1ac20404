import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A stand-in for one gateway instance on 127.0.0.1 and an OS-chosen port:
 * `/readyz` answers 200 or 503 as told, and `/ws` accepts WebSockets,
 * greets each with its name and echoes what it receives. An upgrade whose
 * query has `hangup` is dropped unanswered, as a crashing gateway would.
 */
export class FakeGateway {
  /** What `/readyz` answers. */
  readyStatus = 200;

  /** Headers of every upgrade request that reached this gateway. */
  readonly upgradeHeaders: IncomingHttpHeaders[] = [];

  private readonly server: Server;

  private readonly wss = new WebSocketServer({ noServer: true });

  private readonly sockets = new Set<Socket>();

  private constructor(readonly name: string) {
    this.server = createServer((req, res) => {
      const status = req.url === '/readyz' ? this.readyStatus : 404;
      res.writeHead(status, { 'Content-Type': 'text/plain' }).end();
    });

    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });

    this.server.on('upgrade', (req, socket, head) => {
      const [path, query = ''] = (req.url ?? '').split('?');
      if (path !== '/ws' || query.includes('hangup')) {
        socket.destroy();
        return;
      }

      this.upgradeHeaders.push(req.headers);
      this.wss.handleUpgrade(req, socket, head, (ws) => this.greet(ws));
    });
  }

  /**
   * Starts a fake gateway and resolves once it listens: on a port the OS
   * chooses, or on `port` to bring back one that was closed.
   */
  static async start(name: string, port = 0): Promise<FakeGateway> {
    const gateway = new FakeGateway(name);
    await new Promise<void>((resolve, reject) => {
      gateway.server.once('error', reject);
      gateway.server.listen(port, '127.0.0.1', resolve);
    });
    return gateway;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get address(): { host: string; port: number } {
    return { host: '127.0.0.1', port: this.port };
  }

  /** WebSocket clients connected right now. */
  get clientCount(): number {
    return this.wss.clients.size;
  }

  /** Drops every WebSocket abruptly, as a crashed gateway would. */
  dropClients(): void {
    for (const ws of this.wss.clients) ws.terminate();
  }

  /** Stops listening and drops every connection; refuses from then on. */
  async close(): Promise<void> {
    this.dropClients();
    for (const socket of this.sockets) socket.destroy();

    await new Promise<void>((resolve) => {
      this.wss.close(() => this.server.close(() => resolve()));
    });
  }

  private greet(ws: WebSocket): void {
    ws.send(JSON.stringify({ event: 'hello', data: { gateway: this.name } }));
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  }
}
