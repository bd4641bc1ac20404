import { WebSocketServer, type WebSocket } from 'ws';

/**
 * The ceiling: one bare `ws` process that speaks the chat's JSON frames for
 * what the bench uses (hello, join, send → ack + message to every member)
 * and nothing else — no framework, no validation, no bus, no store. What
 * it holds is about what one Node process can push through `ws` here.
 */
const port = Number(process.env.PORT ?? 0);
const server = `ws-ceiling-${port}`;
const rooms = new Map<string, Set<WebSocket>>();
const seqs = new Map<string, number>();

interface Frame {
  event?: string;
  data?: { room?: string; nick?: string; text?: string; id?: string };
}

const wss = new WebSocketServer({
  host: '127.0.0.1',
  port,
  path: '/ws',
  maxPayload: 64 * 1024,
});

wss.on('connection', (socket) => {
  const joined = new Map<string, string>();
  socket.send(
    JSON.stringify({
      event: 'hello',
      data: { server, port, pid: process.pid },
    }),
  );

  socket.on('message', (raw: Buffer) => {
    let frame: Frame;
    try {
      frame = JSON.parse(raw.toString('utf8')) as Frame;
    } catch {
      return;
    }

    const room = frame.data?.room ?? '';
    if (frame.event === 'join') {
      const members = rooms.get(room) ?? new Set<WebSocket>();
      rooms.set(room, members);
      members.add(socket);
      joined.set(room, frame.data?.nick ?? '');
      socket.send(
        JSON.stringify({
          event: 'joined',
          data: { room, nick: frame.data?.nick, server, members: [] },
        }),
      );
    } else if (frame.event === 'send' && joined.has(room)) {
      const seq = (seqs.get(room) ?? 0) + 1;
      seqs.set(room, seq);
      const id = frame.data?.id ?? '';
      socket.send(JSON.stringify({ event: 'ack', data: { id, seq } }));
      // Encoded once for the whole room, as a broadcast server would.
      const message = JSON.stringify({
        event: 'message',
        data: {
          room,
          seq,
          id,
          nick: joined.get(room),
          text: frame.data?.text,
          at: new Date().toISOString(),
          server,
        },
      });
      for (const member of rooms.get(room) ?? []) {
        member.send(message);
      }
    }
  });

  socket.on('close', () => {
    for (const room of joined.keys()) {
      rooms.get(room)?.delete(socket);
    }
  });
});

wss.on('listening', () => process.send?.('ready'));
process.on('SIGTERM', () => {
  for (const client of wss.clients) client.terminate();
  wss.close(() => process.exit(0));
});
