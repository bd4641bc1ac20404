import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

import httpProxy from 'http-proxy';

/**
 * The peer's balancer: Node's http server with http-proxy, like ours, and
 * the same rule — each WebSocket goes to the upstream holding the fewest —
 * but nothing else (no health checks, no limits, no static files).
 */
const port = Number(process.env.PORT ?? 0);
const upstreams = (process.env.UPSTREAMS ?? '').split(',').map((entry) => ({
  target: `http://${entry}`,
  open: 0,
}));

const proxy = httpProxy.createProxyServer({ ws: true });
proxy.on('error', (_err, _req, res) => {
  // For an upgrade the third argument is the client's socket.
  if ('destroy' in res) res.destroy();
});

const server = createServer((_req, res) => {
  res.writeHead(404).end();
});

server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
  socket.on('error', () => socket.destroy());
  const upstream = upstreams.reduce((a, b) => (b.open < a.open ? b : a));

  upstream.open++;
  socket.once('close', () => upstream.open--);
  proxy.ws(req, socket, head, { target: upstream.target });
});

server.listen(port, '127.0.0.1', () => process.send?.('ready'));
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
});
