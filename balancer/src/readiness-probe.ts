import { request } from 'node:http';

import type { UpstreamAddress } from './upstream.js';

/** What one probe found: ready, or the reason it is not. */
export type ProbeResult = { ready: true } | { ready: false; reason: string };

/** The gateway's readiness endpoint: 200 once it can take clients. */
export const READINESS_PATH = '/readyz';

/**
 * Asks one gateway `GET /readyz`. Resolves, never rejects: a refused
 * connection, a timeout or any status but 200 is simply "not ready".
 *
 * A fresh connection per probe (`agent: false`) keeps a half-dead kept-alive
 * socket from hiding a gateway that has gone away.
 */
export function probeReadiness(
  upstream: UpstreamAddress,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const req = request({
      host: upstream.host,
      port: upstream.port,
      path: READINESS_PATH,
      method: 'GET',
      agent: false,
      signal,
      timeout: timeoutMs,
    });

    req.on('response', (res) => {
      res.resume();

      if (res.statusCode === 200) resolve({ ready: true });
      else
        resolve({ ready: false, reason: `readyz answered ${res.statusCode}` });
    });

    req.on('timeout', () => {
      req.destroy(new Error(`readyz gave no answer in ${timeoutMs} ms`));
    });

    req.on('error', (error: NodeJS.ErrnoException) => {
      resolve({ ready: false, reason: error.code ?? error.message });
    });

    req.end();
  });
}
