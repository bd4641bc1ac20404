import { Agent } from 'node:http';
import type { Socket } from 'node:net';

/**
 * An HTTP agent that hands out one socket the balancer has already
 * connected. Dialing before http-proxy sees the request lets a refused
 * upstream be retried elsewhere: once http-proxy has failed a request it
 * ends the client socket, and no other upstream could answer it then.
 */
export class DialedAgent extends Agent {
  constructor(private readonly socket: Socket) {
    super({ keepAlive: false, maxSockets: 1 });
  }

  override createConnection(): Socket {
    return this.socket;
  }
}
