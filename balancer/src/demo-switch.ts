import { Router, type Response } from 'express';
import type { Logger } from 'pino';

import {
  CLUSTER_PATH,
  DemoErrorCode,
  type DemoAction,
  type DemoErrorCodeName,
} from '../../gateway/src/protocol/index.js';
import { demoRefusal } from './demo-guard.js';
import type { InstanceControl } from './instance-control.js';
import type { UpstreamStatus } from './upstream.js';

/** What the demo switch needs from the balancer. */
export interface DemoSwitchOptions {
  /** Whether `DEMO=1` is set. */
  readonly enabled: boolean;
  /** PM2, or `undefined` when the balancer does not run under it. */
  readonly control: InstanceControl | undefined;
  readonly upstreamStatus: () => UpstreamStatus[];
  readonly logger: Logger;
}

/**
 * `POST /api/cluster/instances/:id/stop` and `…/start`: lets someone
 * learning the cluster kill an instance and bring it back from the SPA.
 * Off unless `DEMO=1`, and only for a client on this machine; the checks
 * run in that order, each with its own code.
 */
export function demoSwitch(options: DemoSwitchOptions): Router {
  const router = Router();

  router.post(`${CLUSTER_PATH}/instances/:id/:action`, async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const { id, action } = req.params;

    if (action !== 'stop' && action !== 'start') {
      res.status(404).json({ error: 'not_found', message: 'no such action' });
      return;
    }

    if (!options.enabled) {
      refuse(res, 403, DemoErrorCode.DemoOff, 'the demo switch is off');
      return;
    }

    const refusal = demoRefusal(req);
    if (refusal !== undefined) {
      options.logger.debug({ refusal }, 'demo request refused');
      refuse(res, 403, refusal, 'only a client on this machine may ask');
      return;
    }

    if (!isInstanceName(id, options.upstreamStatus())) {
      refuse(res, 404, DemoErrorCode.UnknownInstance, `no instance ${id}`);
      return;
    }

    if (options.control === undefined) {
      const text = 'the balancer does not run under PM2';
      refuse(res, 409, DemoErrorCode.NotUnderPm2, text);
      return;
    }

    await act(options, id, action, res);
  });

  return router;
}

async function act(
  options: DemoSwitchOptions,
  instance: string,
  action: DemoAction,
  res: Response,
): Promise<void> {
  const control = options.control!;
  options.logger.info({ instance, action }, 'demo switch acting');

  try {
    if (action === 'stop') await control.stop(instance);
    else await control.start(instance);
  } catch (error) {
    options.logger.warn({ err: error, instance, action }, 'PM2 refused');
    refuse(res, 502, DemoErrorCode.Pm2Failed, String(error));
    return;
  }

  res.json({ instance, action, done: true });
}

/**
 * Only the gateways can be switched, never the bus or the balancer: a
 * name their readiness answers gave, or the ecosystem's `gateway-PORT`
 * for a gateway that has not answered since the balancer started.
 */
function isInstanceName(id: string, upstreams: UpstreamStatus[]): boolean {
  return upstreams.some(({ server, id: address }) => {
    const port = /:(\d+)$/.exec(address)?.[1];
    return server === id || `gateway-${port}` === id;
  });
}

function refuse(
  res: Response,
  status: number,
  error: DemoErrorCodeName,
  message: string,
): void {
  res.status(status).json({ error, message });
}
