import type { IncomingMessage } from 'node:http';

import { WebSocket } from 'ws';

/** A client connected through the balancer, and the gateway that greeted it. */
export interface GreetedClient {
  readonly ws: WebSocket;
  readonly gateway: string;
}

/** How an upgrade that did not succeed was answered. */
export interface RefusedUpgrade {
  readonly status: number;
  readonly body: string;
}

const TIMEOUT_MS = 3000;

/** Opens a WebSocket and waits for the gateway's hello frame. */
export function connectClient(url: string): Promise<GreetedClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { handshakeTimeout: TIMEOUT_MS });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`no hello from ${url} in ${TIMEOUT_MS} ms`));
    }, TIMEOUT_MS);

    ws.once('message', (data: Buffer) => {
      clearTimeout(timer);
      const hello = JSON.parse(data.toString()) as {
        data: { gateway: string };
      };
      resolve({ ws, gateway: hello.data.gateway });
    });
    ws.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Opens a WebSocket that is expected to fail, and returns the answer. */
export function expectRefusedUpgrade(url: string): Promise<RefusedUpgrade> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { handshakeTimeout: TIMEOUT_MS });

    ws.once('unexpected-response', (_req, res: IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        ws.terminate();
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    ws.once('open', () => {
      ws.terminate();
      reject(new Error('the upgrade succeeded'));
    });
    ws.once('error', (error) => reject(error));
  });
}

/** Closes a client and waits until the close has completed. */
export function closeClient(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();

  return new Promise((resolve) => {
    ws.once('close', () => resolve());
    ws.close();
  });
}
