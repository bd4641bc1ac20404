import { access } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';

import express, {
  type ErrorRequestHandler,
  type Express,
  type RequestHandler,
} from 'express';
import type { Logger } from 'pino';

import { CLUSTER_PATH, WS_PATH } from '../../gateway/src/protocol/index.js';
import type { ClusterReport } from './cluster-report.js';
import { demoSwitch, type DemoSwitchOptions } from './demo-switch.js';
import { securityHeaders } from './security-headers.js';
import type { UpstreamStatus } from './upstream.js';
import { wsPathAnswer } from './ws-path-answer.js';

/** What the HTTP side needs to know. */
export interface StaticSiteOptions {
  readonly webRoot: string;
  /** Reports the upstreams for `/healthz` and for plain requests on `/ws`. */
  readonly upstreamStatus: () => UpstreamStatus[];
  /** Builds the body of `/api/cluster`, fresh for each request. */
  readonly clusterReport: () => ClusterReport;
  /** The Prometheus text of `/metrics`. */
  readonly metrics: () => Promise<string>;
  /** The switch that stops and starts instances, and whether it is on. */
  readonly demo: Omit<DemoSwitchOptions, 'upstreamStatus' | 'logger'>;
  readonly logger: Logger;
}

/** Vite puts content-hashed bundles here: a URL there never changes. */
const ASSETS_DIR = 'assets';

const IMMUTABLE = 'public, max-age=31536000, immutable';

/** The SPA shell must be revalidated so a new build is seen at once. */
const REVALIDATE = 'no-cache';

/**
 * The balancer's HTTP side: `/healthz`, `/api/cluster` and its demo
 * switch, `/metrics`, an answer for
 * plain requests on the WebSocket path, the built SPA from `webRoot`, and
 * the SPA's client-side routes (`/room/general`) answered with
 * `index.html`. A missing file that has an extension is a plain 404, so a
 * broken asset link shows up as an error instead of as HTML. Every answer
 * carries the security headers.
 */
export function createStaticSite(options: StaticSiteOptions): Express {
  const { webRoot, logger } = options;
  const indexFile = join(webRoot, 'index.html');
  const app = express();
  app.disable('x-powered-by');

  app.use(securityHeaders());

  app.get('/healthz', (_req, res) => {
    const upstreams = options.upstreamStatus();
    const up = upstreams.filter(({ state }) => state === 'up').length;
    res.json({ status: 'ok', upstreams: { up, total: upstreams.length } });
  });

  app.get(CLUSTER_PATH, (_req, res) => {
    // Connection counts and health change by the second: a cached copy
    // would show an instance up after it went down.
    res.setHeader('Cache-Control', 'no-store');
    res.json(options.clusterReport());
  });

  app.use(
    demoSwitch({
      ...options.demo,
      upstreamStatus: options.upstreamStatus,
      logger,
    }),
  );

  app.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', 'text/plain; version=0.0.4; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.send(await options.metrics());
  });

  const isAnyUpstreamUp = () =>
    options.upstreamStatus().some(({ state }) => state === 'up');
  app.all(WS_PATH, wsPathAnswer(isAnyUpstreamUp));

  app.use(requireBuiltSite(indexFile));

  app.use(
    express.static(webRoot, {
      index: false,
      redirect: false,
      cacheControl: false,
      setHeaders: (res, path) => {
        res.setHeader('Cache-Control', cachePolicy(webRoot, path));
      },
    }),
  );

  app.use(spaFallback(indexFile));

  app.use((_req, res) => {
    res.status(404).type('text/plain').send('Not Found');
  });

  app.use(errorHandler(logger));

  return app;
}

/**
 * Answers 503 while `index.html` is missing. It is checked on every request
 * rather than once at start, so running the web build while the balancer
 * is up is enough.
 */
function requireBuiltSite(indexFile: string): RequestHandler {
  return async (_req, res, next) => {
    if (await fileExists(indexFile)) {
      next();
      return;
    }

    res
      .status(503)
      .type('text/plain')
      .send('SPA not built: run npm run build\n');
  };
}

function fileExists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** The SPA's deep links to rooms: `/room/NAME`. */
const ROOM_ROUTE_PREFIX = '/room/';

function spaFallback(indexFile: string): RequestHandler {
  return (req, res, next) => {
    const isRead = req.method === 'GET' || req.method === 'HEAD';
    // Room names may hold dots (`v1.2`), so a room's deep link is a route
    // whatever its last segment looks like.
    const isRoute =
      extname(req.path) === '' || req.path.startsWith(ROOM_ROUTE_PREFIX);
    if (!isRead || !isRoute || !req.accepts('html')) {
      next();
      return;
    }

    res.sendFile(indexFile, { headers: { 'Cache-Control': REVALIDATE } });
  };
}

function cachePolicy(webRoot: string, path: string): string {
  const assetsDir = join(webRoot, ASSETS_DIR) + sep;
  return path.startsWith(assetsDir) ? IMMUTABLE : REVALIDATE;
}

function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    // A client that went away mid-response is not a server fault.
    const aborted = (error as NodeJS.ErrnoException).code === 'ECONNABORTED';
    if (aborted) logger.debug({ url: req.url }, 'client aborted a response');
    else logger.error({ err: error, url: req.url }, 'request failed');

    if (res.headersSent) {
      next(error);
      return;
    }

    res.status(500).type('text/plain').send('Internal Server Error');
  };
}
