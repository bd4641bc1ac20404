import { connect, createServer, type Server, type Socket } from 'node:net';

import { freePort } from './free-port.js';

/**
 * A TCP relay on a free port to a server the test must not restart (a
 * shared Redis, Mosquitto or PostgreSQL). It listens on loopback unless
 * told another address of this machine, such as the root end of a test's
 * own veth pair. Stopping the relay
 * cuts every connection through it and refuses new ones, which the
 * gateways see as the server going away; starting it again on the same
 * port is the server coming back.
 */
export class TcpRelay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  private constructor(
    readonly host: string,
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  /** Starts a relay to `target` on a free port of `host`. */
  static async start(
    target: { host: string; port: number },
    host = '127.0.0.1',
  ): Promise<TcpRelay> {
    const relay = new TcpRelay(host, await freePort(), target);
    await relay.start();

    return relay;
  }

  /** The URL of `url`'s server through the relay: same scheme and path. */
  rewrite(url: string): string {
    const through = new URL(url);
    through.hostname = this.host;
    through.port = String(this.port);

    return through.toString();
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  start(): Promise<void> {
    if (this.server) {
      return Promise.resolve();
    }

    const server = createServer((client) => this.relay(client));
    this.server = server;

    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  /** Cuts every connection and stops listening. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) {
      socket.destroy();
    }
    this.sockets.clear();

    await new Promise<void>((resolve) =>
      server ? server.close(() => resolve()) : resolve(),
    );
  }

  private relay(client: Socket): void {
    const upstream = connect(this.target.port, this.target.host);

    for (const [socket, other] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.sockets.add(socket);
      socket.on('error', () => other.destroy());
      socket.on('close', () => {
        this.sockets.delete(socket);
        other.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
