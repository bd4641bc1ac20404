import { request, type IncomingMessage } from 'node:http';

import type { TrafficTotals } from './traffic-meter.js';
import type { UpstreamAddress } from './upstream.js';

/** What a gateway says about itself in its `/readyz` body, if anything. */
export interface ProbeFacts {
  /** The instance name. */
  readonly server?: string;
  /** Running totals since its process started. */
  readonly totals?: TrafficTotals;
  /** Whole seconds its process has run. */
  readonly uptimeSeconds?: number;
  /** It answered not ready because it is shutting down. */
  readonly draining?: boolean;
}

/**
 * What one probe found: ready, or the reason it is not; and whatever the
 * gateway told about itself in its body.
 */
export type ProbeResult = ProbeFacts &
  (
    | { readonly ready: true }
    | { readonly ready: false; readonly reason: string }
  );

/** The gateway's readiness endpoint: 200 once it can take clients. */
export const READINESS_PATH = '/readyz';

/** The gateway's answer is a few fields; anything longer is not it. */
const MAX_BODY_BYTES = 4096;

/** An instance name is shown to operators; a longer one is cut. */
const MAX_SERVER_NAME_LENGTH = 100;

/**
 * Asks one gateway `GET /readyz`. Resolves, never rejects: a refused
 * connection, a timeout or any status but 200 is simply "not ready". The
 * body is read on a 503 too, so a gateway that is not ready can still be
 * named, and can say that it is draining.
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
    });

    let settled = false;
    const settle = (result: ProbeResult) => {
      if (settled) return;

      settled = true;
      clearTimeout(deadline);
      req.destroy();
      resolve(result);
    };

    // One deadline for the whole exchange, body included: a gateway that
    // trickles bytes would never trip an idle timeout.
    const deadline = setTimeout(() => {
      settle({
        ready: false,
        reason: `readyz gave no answer in ${timeoutMs} ms`,
      });
    }, timeoutMs);

    req.on('response', (res) => {
      void readBody(res).then(
        (body) => settle(resultOf(res.statusCode, body)),
        (error: NodeJS.ErrnoException) =>
          settle({ ready: false, reason: error.code ?? error.message }),
      );
    });

    req.on('error', (error: NodeJS.ErrnoException) => {
      settle({ ready: false, reason: error.code ?? error.message });
    });

    req.end();
  });
}

/**
 * The body as text, or `undefined` when it is longer than any readiness
 * answer: the status alone is then what counts.
 */
function readBody(res: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;

    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) {
        chunks.push(chunk);
        return;
      }

      resolve(undefined);
      res.destroy();
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
    res.on('close', () => {
      if (!res.complete) reject(new Error('readyz answer cut short'));
    });
  });
}

function resultOf(
  status: number | undefined,
  body: string | undefined,
): ProbeResult {
  const facts = factsIn(body);

  if (status === 200) return { ready: true, ...facts };

  return { ready: false, reason: `readyz answered ${status}`, ...facts };
}

/**
 * The fields of a JSON body that are usable. The gateway is our own, but
 * anything can listen on its port: a field of the wrong type is left out,
 * never trusted.
 */
function factsIn(body: string | undefined): ProbeFacts {
  const fields = jsonObjectIn(body);
  if (fields === undefined) return {};

  const server = serverNameOf(fields.server);
  const messagesAccepted = countOf(fields.messagesAccepted);
  const deliveries = countOf(fields.deliveries);
  const uptimeSeconds = countOf(fields.uptimeSeconds);
  const hasTotals = messagesAccepted !== undefined && deliveries !== undefined;

  return {
    ...(server === undefined ? {} : { server }),
    ...(hasTotals ? { totals: { messagesAccepted, deliveries } } : {}),
    ...(uptimeSeconds === undefined ? {} : { uptimeSeconds }),
    ...(fields.draining === true ? { draining: true } : {}),
  };
}

function jsonObjectIn(
  body: string | undefined,
): Record<string, unknown> | undefined {
  if (body === undefined) return undefined;

  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }

  if (typeof parsed !== 'object' || parsed === null) return undefined;

  return parsed as Record<string, unknown>;
}

function serverNameOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;

  const name = value.trim().slice(0, MAX_SERVER_NAME_LENGTH);
  return name === '' ? undefined : name;
}

function countOf(value: unknown): number | undefined {
  return Number.isSafeInteger(value) && (value as number) >= 0
    ? (value as number)
    : undefined;
}
