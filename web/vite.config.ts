import { resolve } from 'node:path';
import type { Socket } from 'node:net';
import type { ServerResponse } from 'node:http';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type ProxyOptions } from 'vite';
import { WS_PATH } from '../gateway/src/protocol/events.js';

const webRoot = import.meta.dirname;

/**
 * The gateway the dev server forwards the chat socket to. Vite's own HMR
 * socket stays on its default path, so the two never meet.
 */
const gatewayPort = process.env.GATEWAY_BASE_PORT || '8001';

/**
 * Ends the browser's side at once when the gateway refuses the upgrade or
 * dies mid-stream: the SPA sees a close and reconnects with its backoff,
 * and the dev server stays up. Vite adds a listener of its own after this
 * one, which logs the failure.
 */
function endClientOnError(
  _error: Error,
  _request: unknown,
  client: ServerResponse | Socket,
): void {
  if ('req' in client) {
    if (!client.headersSent) client.writeHead(502);

    client.end();
    return;
  }

  client.destroy();
}

const chatSocketProxy: ProxyOptions = {
  target: `http://127.0.0.1:${gatewayPort}`,
  ws: true,
  configure(proxy) {
    proxy.on('error', endClientOnError);
  },
};

export default defineConfig({
  root: webRoot,
  base: '/',
  plugins: [svelte()],
  resolve: {
    // The wire types shared with the gateway; see web/tsconfig.json paths.
    alias: { $protocol: resolve(webRoot, '../gateway/src/protocol/index.ts') },
  },
  build: {
    outDir: resolve(webRoot, '../dist/web'),
    emptyOutDir: true,
    assetsDir: 'assets',
  },
  server: {
    port: 5173,
    proxy: { [WS_PATH]: chatSocketProxy },
  },
});
