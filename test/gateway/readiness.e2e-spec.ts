import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { startTestBroker, type TestBroker } from '../support/test-broker.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { TestClient } from '../support/test-client.js';

interface ReadyBody {
  ready: boolean;
  server: string;
  messagesAccepted: number;
  deliveries: number;
  uptimeSeconds: number;
  draining: boolean;
}

describe('HealthController', () => {
  let broker: TestBroker;
  let gateway: TestGateway;

  const readyz = async () => {
    const res = await fetch(`http://127.0.0.1:${gateway.port}/readyz`, {
      signal: AbortSignal.timeout(5000),
    });
    return { status: res.status, body: (await res.json()) as ReadyBody };
  };

  beforeAll(async () => {
    broker = await startTestBroker();
    gateway = await startTestGateway({
      busUrl: broker.url,
      instance: 'gateway-ready',
    });
  });

  afterAll(async () => {
    await gateway?.close();
    await broker?.close();
  });

  describe('readyz', () => {
    it('should report running totals of messages and deliveries', async () => {
      const before = await readyz();
      const client = await TestClient.connect(gateway.url);
      client.send('join', { room: 'load', nick: 'counter' });
      await client.waitFor('joined');

      client.send('send', { room: 'load', text: 'one', id: 'load-1' });
      await client.waitFor('message');
      const after = await readyz();
      await client.close();

      expect(before.status).toBe(200);
      expect(before.body).toMatchObject({ ready: true, draining: false });
      expect(after.body.messagesAccepted).toBe(
        before.body.messagesAccepted + 1,
      );
      expect(after.body.deliveries).toBe(before.body.deliveries + 1);
      expect(after.body.uptimeSeconds).toBeGreaterThanOrEqual(0);
    });
  });
});
