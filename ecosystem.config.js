/**
 * The cluster under PM2: the embedded bus, the gateway instances and the
 * balancer. `pm2 start ecosystem.config.js` after `npm run build`.
 *
 * Settings (environment): ROLES (`bus,gateway,balancer`: the apps this host
 * runs, e.g. `gateway` on a gateway host, `balancer` on a balancer host),
 * GATEWAY_COUNT (2), GATEWAY_BASE_PORT (8001), INSTANCE_PREFIX (none:
 * prepended to each gateway's instance name, which must be unique across
 * hosts), BALANCER_PORT (8000), BUS_PORT (8090), BUS_URL (an external MQTT
 * broker or Redis: no embedded bus is started then), DATA_DIR (data),
 * DATABASE_URL, UPSTREAMS, UPSTREAMS_FILE. Gateways take the ports
 * GATEWAY_BASE_PORT, +1, +2, … Every other variable reaches the apps as it
 * is (HOST, BUS_PREFIX, BALANCER_HOST, …). DEMO=1 turns on the
 * balancer's switch that stops and starts gateways from the SPA.
 */
const env = process.env;
const count = Number(env.GATEWAY_COUNT ?? 2);
const basePort = Number(env.GATEWAY_BASE_PORT ?? 8001);
const busPort = Number(env.BUS_PORT ?? 8090);
const busUrl = env.BUS_URL ?? `mqtt://127.0.0.1:${busPort}`;
const embeddedBus = env.BUS_URL === undefined;
const instancePrefix = env.INSTANCE_PREFIX ?? '';
const knownRoles = ['bus', 'gateway', 'balancer'];
const roles = (env.ROLES || knownRoles.join(','))
  .split(',')
  .map((role) => role.trim())
  .filter((role) => role !== '');

if (!Number.isInteger(count) || count < 1) {
  throw new Error(`GATEWAY_COUNT=${env.GATEWAY_COUNT} is not a count`);
}
for (const role of roles) {
  if (!knownRoles.includes(role)) {
    throw new Error(`ROLES names ${role}; the roles are ${knownRoles}`);
  }
}
if (roles.length === 0) {
  throw new Error(`ROLES is empty; name some of ${knownRoles}`);
}

const ports = Array.from({ length: count }, (_, i) => basePort + i);

/** What every app shares: readiness handshake and a bounded restart loop. */
const common = {
  // `npm stop` deletes the namespace, whatever ports the apps were named by.
  namespace: 'chat-cluster',
  cwd: import.meta.dirname,
  exec_mode: 'fork',
  autorestart: true,
  // The app says `ready` once it listens (and, for a gateway, once its bus
  // and store are connected); PM2 waits for that before the next step.
  wait_ready: true,
  listen_timeout: 15000,
  // Long enough for a gateway to tell its clients to reconnect and to
  // finish what it was storing.
  kill_timeout: 5000,
  exp_backoff_restart_delay: 200,
  max_memory_restart: '1G',
  merge_logs: true,
  time: false,
};

const bus = {
  ...common,
  name: 'bus',
  script: 'dist/gateway/src/broker/main.js',
  env: { BUS_PORT: String(busPort) },
};

const gateways = ports.map((port) => ({
  ...common,
  name: `gateway-${port}`,
  script: 'dist/gateway/src/main.js',
  env: {
    PORT: String(port),
    INSTANCE: `${instancePrefix}gateway-${port}`,
    BUS_URL: busUrl,
    ...(env.DATA_DIR ? { DATA_DIR: env.DATA_DIR } : {}),
    ...(env.DATABASE_URL ? { DATABASE_URL: env.DATABASE_URL } : {}),
  },
}));

const balancer = {
  ...common,
  name: 'balancer',
  script: 'dist/balancer/src/main.js',
  env: {
    BALANCER_PORT: env.BALANCER_PORT ?? '8000',
    // A balancer host names the gateway hosts in UPSTREAMS or, to change
    // them without a restart, UPSTREAMS_FILE; by default, the local ones.
    ...(env.UPSTREAMS_FILE
      ? { UPSTREAMS_FILE: env.UPSTREAMS_FILE }
      : {
          UPSTREAMS:
            env.UPSTREAMS ?? ports.map((port) => `127.0.0.1:${port}`).join(','),
        }),
    // The demo switch stops and starts the gateways through this PM2.
    ...(env.DEMO ? { DEMO: env.DEMO } : {}),
  },
};

const wanted = (role) => roles.includes(role);

export const apps = [
  ...(wanted('bus') && embeddedBus ? [bus] : []),
  ...(wanted('gateway') ? gateways : []),
  ...(wanted('balancer') ? [balancer] : []),
];
