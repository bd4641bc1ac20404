import { isAbsolute, join, resolve } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import {
  ConfigError,
  loadBalancerConfig,
} from '../../balancer/src/balancer.config.js';

describe('loadBalancerConfig', () => {
  it('fills in the defaults', () => {
    const config = loadBalancerConfig({});

    expect(config).toMatchObject({
      port: 8000,
      host: '127.0.0.1',
      upstreams: [
        { host: '127.0.0.1', port: 8001 },
        { host: '127.0.0.1', port: 8002 },
      ],
      healthIntervalMs: 1000,
      healthTimeoutMs: 800,
      maxConnectionsPerAddress: 50,
      maxPendingUpgrades: 500,
      logLevel: 'info',
    });
  });

  it('finds dist/web under the package root, whatever the cwd', () => {
    const { webRoot } = loadBalancerConfig({});

    expect(isAbsolute(webRoot)).toBe(true);
    expect(webRoot).toBe(
      join(resolve(import.meta.dirname, '../..'), 'dist/web'),
    );
  });

  it('numbers gateways from GATEWAY_BASE_PORT', () => {
    const config = loadBalancerConfig({
      GATEWAY_COUNT: '3',
      GATEWAY_BASE_PORT: '9100',
      GATEWAY_HOST: 'localhost',
    });

    expect(config.upstreams.map(({ port }) => port)).toEqual([
      9100, 9101, 9102,
    ]);
    expect(config.upstreams.every(({ host }) => host === 'localhost')).toBe(
      true,
    );
  });

  it('prefers UPSTREAMS, with IPv6 in brackets', () => {
    const config = loadBalancerConfig({
      UPSTREAMS: ' 10.0.0.5:8001, [::1]:8002 ,',
      GATEWAY_COUNT: '5',
    });

    expect(config.upstreams).toEqual([
      { host: '10.0.0.5', port: 8001 },
      { host: '::1', port: 8002 },
    ]);
  });

  it('reads the remaining settings', () => {
    const config = loadBalancerConfig({
      BALANCER_PORT: '0',
      BALANCER_HOST: '0.0.0.0',
      WEB_ROOT: '/srv/web',
      HEALTH_INTERVAL_MS: '250',
      HEALTH_TIMEOUT_MS: '100',
      MAX_CONNECTIONS_PER_ADDRESS: '3',
      MAX_PENDING_UPGRADES: '20',
      LOG_LEVEL: 'debug',
    });

    expect(config).toMatchObject({
      port: 0,
      host: '0.0.0.0',
      webRoot: '/srv/web',
      healthIntervalMs: 250,
      healthTimeoutMs: 100,
      maxConnectionsPerAddress: 3,
      maxPendingUpgrades: 20,
      logLevel: 'debug',
    });
  });

  it.each([
    [{ BALANCER_PORT: '70000' }, /BALANCER_PORT/],
    [{ BALANCER_PORT: 'eighty' }, /BALANCER_PORT must be a whole number/],
    [{ UPSTREAMS: 'localhost' }, /UPSTREAMS entry "localhost"/],
    [{ UPSTREAMS: 'a:1,a:1' }, /same host:port twice/],
    [{ UPSTREAMS: 'a:0' }, /port 1-65535/],
    [{ GATEWAY_COUNT: '0' }, /GATEWAY_COUNT must be at least 1/],
    [{ GATEWAY_BASE_PORT: '65535', GATEWAY_COUNT: '2' }, /past port 65535/],
    [{ HEALTH_INTERVAL_MS: '-5' }, /HEALTH_INTERVAL_MS/],
    [{ HEALTH_TIMEOUT_MS: '1.5' }, /HEALTH_TIMEOUT_MS/],
    [{ MAX_CONNECTIONS_PER_ADDRESS: '0' }, /MAX_CONNECTIONS_PER_ADDRESS/],
    [{ MAX_PENDING_UPGRADES: 'many' }, /MAX_PENDING_UPGRADES/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
    [{ GATEWAY_HOST: 'a b' }, /GATEWAY_HOST/],
  ])('refuses %j', (env, message) => {
    expect(() => loadBalancerConfig(env)).toThrow(ConfigError);
    expect(() => loadBalancerConfig(env)).toThrow(message);
  });
});
