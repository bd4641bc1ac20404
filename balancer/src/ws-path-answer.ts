import type { RequestHandler, Response } from 'express';

import { Rejection, type UpgradeRejection } from './upgrade-rejection.js';

/**
 * Answers a plain HTTP request on the WebSocket path, as a browser tab or
 * a health check aimed at `/ws` would send: `426 Upgrade Required` while
 * some gateway could take the socket, and the upgrade's own `503
 * no_upstream` when none could, so the answer says what an upgrade would
 * meet.
 */
export function wsPathAnswer(isAnyUpstreamUp: () => boolean): RequestHandler {
  return (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');

    if (!isAnyUpstreamUp()) {
      sendRejection(res, Rejection.NoUpstream);
      return;
    }

    // RFC 9110 section 15.5.22: a 426 must name the protocol in Upgrade,
    // and section 7.8: Upgrade is announced in Connection too.
    res.setHeader('Upgrade', 'websocket');
    res.setHeader('Connection', 'Upgrade');
    sendRejection(res, Rejection.UpgradeRequired);
  };
}

function sendRejection(
  res: Response,
  { status, error, message }: UpgradeRejection,
): void {
  res.status(status).json({ error, message });
}
