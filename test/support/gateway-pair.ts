import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startTestBroker, type TestBroker } from './test-broker.js';
import { TestClient } from './test-client.js';
import { startTestGateway, type TestGateway } from './test-gateway.js';

/** Two in-process gateways, east and west, on one broker and one store. */
export interface GatewayPair {
  broker: TestBroker;
  storeDir: string;
  east: TestGateway;
  west: TestGateway;
  /** Opens a client to a gateway, closed with the pair. */
  connect(
    gateway: TestGateway,
    headers?: Record<string, string>,
  ): Promise<TestClient>;
  /** Closes every client, stops both gateways and the broker, removes the store. */
  close(): Promise<void>;
}

export async function startGatewayPair(
  name: string,
  env: Record<string, string> = {},
): Promise<GatewayPair> {
  const broker = await startTestBroker();
  const storeDir = mkdtempSync(join(tmpdir(), `chat-${name}-`));
  const start = (instance: string) =>
    startTestGateway({ busUrl: broker.url, instance, storeDir, env });
  const east = await start('gateway-east');
  const west = await start('gateway-west');
  const clients: TestClient[] = [];

  return {
    broker,
    storeDir,
    east,
    west,
    connect: async (gateway, headers) => {
      const client = await TestClient.connect(gateway.url, headers);
      clients.push(client);
      return client;
    },
    close: async () => {
      await Promise.all(clients.map((client) => client.close()));
      await east.close();
      await west.close();
      await broker.close();
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}
