import { createServer } from 'node:http';

import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import { Server } from 'socket.io';

/**
 * One instance of the peer: Socket.IO 4 with the Redis adapter, doing what
 * the chat does for the bench (join a room, send → ack + message to every
 * member on every instance). Set up as Socket.IO's docs advise for load:
 * WebSocket transport only, no client bundle served, no per-message
 * compression, no logging, and the handshake request dropped once the
 * connection is made, since nothing reads it later.
 */
const port = Number(process.env.PORT ?? 0);
const server = `socketio-${port}`;
const seqs = new Map<string, number>();

interface JoinData {
  room: string;
  nick: string;
}

interface SendData {
  room: string;
  text: string;
  id: string;
}

async function main(): Promise<void> {
  const pub = createClient({ url: process.env.REDIS_URL });
  const sub = pub.duplicate();
  pub.on('error', (err: Error) => process.stderr.write(`redis: ${err}\n`));
  sub.on('error', (err: Error) => process.stderr.write(`redis: ${err}\n`));
  await Promise.all([pub.connect(), sub.connect()]);

  const http = createServer();
  const io = new Server(http, {
    transports: ['websocket'],
    serveClient: false,
    perMessageDeflate: false,
    adapter: createAdapter(pub, sub, { key: process.env.ADAPTER_KEY }),
  });
  io.engine.on('connection', (raw: { request: unknown }) => {
    raw.request = null;
  });

  io.on('connection', (socket) => {
    const nicks = new Map<string, string>();

    socket.on('join', (data: JoinData, ack?: (reply: unknown) => void) => {
      void socket.join(data.room);
      nicks.set(data.room, data.nick);
      ack?.({ room: data.room, nick: data.nick, server, members: [] });
    });

    socket.on('send', (data: SendData, ack?: (reply: unknown) => void) => {
      if (!nicks.has(data.room)) return;

      // Per instance only: the peer has no shared store to number rooms.
      const seq = (seqs.get(data.room) ?? 0) + 1;
      seqs.set(data.room, seq);
      ack?.({ id: data.id, seq });
      io.to(data.room).emit('message', {
        room: data.room,
        seq,
        id: data.id,
        nick: nicks.get(data.room),
        text: data.text,
        at: new Date().toISOString(),
        server,
      });
    });
  });

  http.listen(port, '127.0.0.1', () => process.send?.('ready'));
  process.on('SIGTERM', () => {
    void io.close();
    void Promise.allSettled([pub.quit(), sub.quit()]).then(() =>
      process.exit(0),
    );
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`socketio peer failed to start: ${String(err)}\n`);
  process.exit(1);
});
