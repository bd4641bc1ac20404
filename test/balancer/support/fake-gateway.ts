import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A stand-in for one gateway instance on 127.0.0.1 and an OS-chosen port:
 * `/readyz` answers 200 or 503 as told, with the gateway's JSON body, and
 * `/ws` accepts WebSockets, greets each with its name and echoes what it
 * receives. An upgrade whose query has `hangup` is dropped unanswered, as a
 * crashing gateway would; one with `stall` is held open and never
 * answered, as an overloaded one would.
 */
export class FakeGateway {
  /** What `/readyz` answers. */
  readyStatus = 200;

  /** When false, `/readyz` takes the request and never answers. */
  answersProbes = true;

  /** The instance name `/readyz` gives; `undefined` sends a plain body. */
  serverName: string | undefined;

  /** The running totals `/readyz` reports, as a gateway counts them. */
  messagesAccepted = 0;

  deliveries = 0;

  uptimeSeconds = 0;

  /** Reported as `draining` in `/readyz`, as a gateway shutting down does. */
  draining = false;

  /** Upgrade requests held unanswered right now. */
  stalledCount = 0;

  /** Headers of every upgrade request that reached this gateway. */
  readonly upgradeHeaders: IncomingHttpHeaders[] = [];

  private readonly server: Server;

  private readonly wss = new WebSocketServer({ noServer: true });

  private readonly sockets = new Set<Socket>();

  private constructor(readonly name: string) {
    this.serverName = name;
    this.server = createServer((req, res) => {
      if (req.url !== '/readyz') {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end();
        return;
      }

      if (!this.answersProbes) return;

      this.answerReadiness(res);
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

      if (query.includes('stall')) {
        this.stalledCount += 1;
        // Read and drop, so the balancer hanging up is seen at once; the
        // HTTP server keeps sockets half-open after an end otherwise.
        socket.on('error', () => socket.destroy());
        socket.once('end', () => socket.destroy());
        socket.once('close', () => (this.stalledCount -= 1));
        socket.resume();
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

  private answerReadiness(res: ServerResponse): void {
    const ready = this.readyStatus === 200;

    if (this.serverName === undefined) {
      res.writeHead(this.readyStatus, { 'Content-Type': 'text/plain' });
      res.end(ready ? 'ready' : 'not ready');
      return;
    }

    const body = JSON.stringify({
      ready,
      server: this.serverName,
      bus: ready,
      store: true,
      connections: this.clientCount,
      messagesAccepted: this.messagesAccepted,
      deliveries: this.deliveries,
      uptimeSeconds: this.uptimeSeconds,
      draining: this.draining,
    });
    res.writeHead(this.readyStatus, { 'Content-Type': 'application/json' });
    res.end(body);
  }

  private greet(ws: WebSocket): void {
    ws.send(JSON.stringify({ event: 'hello', data: { gateway: this.name } }));
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  }
}
