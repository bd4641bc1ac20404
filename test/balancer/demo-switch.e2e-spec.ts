import { request, type IncomingMessage } from 'node:http';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import type { RunningBalancer } from '../../balancer/src/balancer.js';
import {
  demoRefusal,
  isLoopbackAddress,
} from '../../balancer/src/demo-guard.js';
import type { InstanceControl } from '../../balancer/src/instance-control.js';
import { demoActionPath } from '../../gateway/src/protocol/index.js';
import { FakeGateway } from './support/fake-gateway.js';
import { httpUrl, startTestBalancer } from './support/test-balancer.js';

const TEST_TIMEOUT_MS = 10_000;

/** Records what it was asked to do; fails for the name `gateway-broken`. */
class RecordingControl implements InstanceControl {
  readonly calls: string[] = [];

  stop(name: string): Promise<void> {
    return this.record(`stop ${name}`, name);
  }

  start(name: string): Promise<void> {
    return this.record(`start ${name}`, name);
  }

  private record(call: string, name: string): Promise<void> {
    this.calls.push(call);
    if (name === 'gateway-broken') {
      return Promise.reject(new Error('process or namespace not found'));
    }
    return Promise.resolve();
  }
}

const post = async (
  balancer: RunningBalancer,
  path: string,
  headers: Record<string, string> = {},
) => {
  const res = await fetch(httpUrl(balancer, path), {
    method: 'POST',
    headers,
    signal: AbortSignal.timeout(TEST_TIMEOUT_MS),
  });
  return { status: res.status, body: (await res.json()) as { error?: string } };
};

/** fetch() may not set Host; a plain request can, as a rebound page's does. */
const postWithHost = (balancer: RunningBalancer, path: string, host: string) =>
  new Promise<number>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: balancer.port, path, method: 'POST' },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.setHeader('Host', host);
    req.setTimeout(TEST_TIMEOUT_MS, () => req.destroy());
    req.on('error', reject);
    req.end();
  });

describe('the demo switch', () => {
  let alpha: FakeGateway;
  let broken: FakeGateway;
  const control = new RecordingControl();
  let off: RunningBalancer;
  let on: RunningBalancer;
  let unmanaged: RunningBalancer;

  beforeAll(async () => {
    alpha = await FakeGateway.start('gateway-alpha');
    broken = await FakeGateway.start('gateway-broken');
    const gateways = [alpha, broken];
    const parts = { instanceControl: control };
    off = await startTestBalancer(gateways, {}, parts);
    on = await startTestBalancer(gateways, { demo: true }, parts);
    unmanaged = await startTestBalancer(gateways, { demo: true });
  });

  afterAll(async () => {
    await off?.close();
    await on?.close();
    await unmanaged?.close();
    await alpha?.close();
    await broken?.close();
  });

  it(
    'answers 403 demo_off while DEMO is not set, and does nothing',
    async () => {
      const answer = await post(off, demoActionPath('gateway-alpha', 'stop'));

      expect(answer).toMatchObject({
        status: 403,
        body: { error: 'demo_off' },
      });
      expect(control.calls).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'stops and starts an instance by its name when DEMO is on',
    async () => {
      const stopped = await post(on, demoActionPath('gateway-alpha', 'stop'));
      const started = await post(on, demoActionPath('gateway-alpha', 'start'));

      expect(stopped.status).toBe(200);
      expect(started.status).toBe(200);
      expect(control.calls).toEqual([
        'stop gateway-alpha',
        'start gateway-alpha',
      ]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'refuses names that are not gateways, such as the bus or the balancer',
    async () => {
      control.calls.length = 0;

      const bus = await post(on, demoActionPath('bus', 'stop'));
      const self = await post(on, demoActionPath('balancer', 'stop'));

      expect(bus).toMatchObject({
        status: 404,
        body: { error: 'unknown_instance' },
      });
      expect(self.status).toBe(404);
      expect(control.calls).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'accepts the ecosystem name gateway-PORT of a configured gateway',
    async () => {
      control.calls.length = 0;

      const answer = await post(
        on,
        demoActionPath(`gateway-${alpha.port}`, 'stop'),
      );

      expect(answer.status).toBe(200);
      expect(control.calls).toEqual([`stop gateway-${alpha.port}`]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'refuses a page of another origin, and a Host that is not loopback',
    async () => {
      const path = demoActionPath('gateway-alpha', 'stop');

      const foreign = await post(on, path, { Origin: 'http://example.test' });
      const rebound = await postWithHost(on, path, 'rebound.example:8000');
      const own = await post(on, path, {
        Origin: `http://127.0.0.1:${on.port}`,
      });

      expect(foreign).toMatchObject({
        status: 403,
        body: { error: 'foreign_origin' },
      });
      expect(rebound).toBe(403);
      expect(own.status).toBe(200);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'answers 502 with pm2_failed when PM2 refuses',
    async () => {
      const answer = await post(on, demoActionPath('gateway-broken', 'start'));

      expect(answer).toMatchObject({
        status: 502,
        body: { error: 'pm2_failed' },
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'answers 409 not_under_pm2 when the balancer is not run by PM2',
    async () => {
      const answer = await post(
        unmanaged,
        demoActionPath('gateway-alpha', 'stop'),
      );

      expect(answer).toMatchObject({
        status: 409,
        body: { error: 'not_under_pm2' },
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'says demo: true in /api/cluster when it is on',
    async () => {
      const res = await fetch(httpUrl(on, '/api/cluster'));

      expect(((await res.json()) as { demo: boolean }).demo).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('demoRefusal', () => {
  const request = (
    remoteAddress: string,
    headers: Record<string, string> = { host: '127.0.0.1:8000' },
  ) => ({ socket: { remoteAddress }, headers }) as unknown as IncomingMessage;

  it('lets loopback clients on IPv4, IPv6 and IPv4-mapped addresses in', () => {
    expect(demoRefusal(request('127.0.0.1'))).toBeUndefined();
    expect(demoRefusal(request('::1'))).toBeUndefined();
    expect(demoRefusal(request('::ffff:127.0.0.1'))).toBeUndefined();
    expect(
      demoRefusal(request('127.0.0.1', { host: 'localhost:8000' })),
    ).toBeUndefined();
  });

  it('refuses every other address', () => {
    expect(demoRefusal(request('192.0.2.7'))).toBe('not_loopback');
    expect(demoRefusal(request('::ffff:192.0.2.7'))).toBe('not_loopback');
    expect(demoRefusal(request('2001:db8::1'))).toBe('not_loopback');
    expect(demoRefusal(request(''))).toBe('not_loopback');
  });

  it('tells loopback addresses from others', () => {
    expect(isLoopbackAddress('127.8.9.10')).toBe(true);
    expect(isLoopbackAddress('128.0.0.1')).toBe(false);
    expect(isLoopbackAddress('::2')).toBe(false);
  });
});
