/**
 * The whole cluster under PM2: the embedded bus, the gateway instances and
 * the balancer. `pm2 start ecosystem.config.js` after `npm run build`.
 *
 * Settings (environment): GATEWAY_COUNT (2), GATEWAY_BASE_PORT (8001),
 * BALANCER_PORT (8000), BUS_PORT (8090), BUS_URL (an external MQTT broker:
 * no embedded bus is started then), DATA_DIR (data), DEMO (the balancer's
 * switch that stops and starts gateways from the SPA). Gateways take the ports
 * GATEWAY_BASE_PORT, +1, +2, …
 */
const env = process.env;
const count = Number(env.GATEWAY_COUNT ?? 2);
const basePort = Number(env.GATEWAY_BASE_PORT ?? 8001);
const busPort = Number(env.BUS_PORT ?? 8090);
const busUrl = env.BUS_URL ?? `mqtt://127.0.0.1:${busPort}`;
const embeddedBus = env.BUS_URL === undefined;

if (!Number.isInteger(count) || count < 1) {
  throw new Error(`GATEWAY_COUNT=${env.GATEWAY_COUNT} is not a count`);
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
    INSTANCE: `gateway-${port}`,
    BUS_URL: busUrl,
    ...(env.DATA_DIR ? { DATA_DIR: env.DATA_DIR } : {}),
  },
}));

const balancer = {
  ...common,
  name: 'balancer',
  script: 'dist/balancer/src/main.js',
  env: {
    BALANCER_PORT: env.BALANCER_PORT ?? '8000',
    UPSTREAMS: ports.map((port) => `127.0.0.1:${port}`).join(','),
    // The demo switch stops and starts the gateways through this PM2.
    ...(env.DEMO ? { DEMO: env.DEMO } : {}),
  },
};

export const apps = [...(embeddedBus ? [bus] : []), ...gateways, balancer];
