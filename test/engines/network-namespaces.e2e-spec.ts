import { randomBytes, randomInt } from 'node:crypto';
import { readlinkSync } from 'node:fs';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { ClusterProcess } from '../support/cluster-process.js';
import { describeWithEngines } from '../support/engine-urls.js';
import { freePort } from '../support/free-port.js';
import {
  namespacePrefix,
  namespacesUnavailable,
  NetworkNamespace,
} from '../support/network-namespace.js';
import { TcpRelay } from '../support/tcp-relay.js';
import { TestClient } from '../support/test-client.js';
import {
  createTestDatabase,
  type TestDatabase,
} from '../support/test-database.js';
import { freshOutputDir } from '../support/test-output.js';
import { waitUntil } from '../support/wait-until.js';

const TITLE = 'Gateways on two hosts made of network namespaces';

/** Both gateways listen on this port, each on its own host's address. */
const GATEWAY_PORT = 8001;

/** One gateway host: its namespace, its relays and its gateway. */
interface GatewayHost {
  namespace: NetworkNamespace;
  gateway: ClusterProcess;
  instance: string;
  url: string;
}

describeWithEngines(TITLE, ['redis', 'postgres'], (urls) => {
  const unavailable = namespacesUnavailable();
  if (unavailable !== undefined) {
    process.stderr.write(`Not run: "${TITLE}", because ${unavailable}\n`);
    it.skip('needs network namespaces', () => undefined);
    return;
  }

  const hosts: GatewayHost[] = [];
  const namespaces: NetworkNamespace[] = [];
  const relays: TcpRelay[] = [];
  const clients: TestClient[] = [];
  let database: TestDatabase | undefined;
  let balancer: ClusterProcess | undefined;
  let balancerWsUrl: string;
  let balancerHttpUrl: string;

  // A killed or crashing Jest still takes its namespaces and links with it.
  const removeNamespaces = () => namespaces.forEach((n) => n.remove());
  process.once('exit', removeNamespaces);

  const connect = async () => {
    const client = await TestClient.connect(balancerWsUrl);
    clients.push(client);
    return client;
  };

  const join = async (client: TestClient, room: string, nick: string) => {
    client.send('join', { room, nick });
    return client.waitFor('joined', (j) => j.room === room);
  };

  beforeAll(async () => {
    const logDir = freshOutputDir('network-namespaces');
    const prefix = namespacePrefix();
    // Two neighbouring /30s of 10.213.0.0/16, different on every run.
    const subnet = randomInt(0, 127) * 2;
    const busPrefix = `test-${randomBytes(6).toString('hex')}`;
    const redis = new URL(urls.redis);
    const postgres = new URL(urls.postgres);
    database = await createTestDatabase(urls.postgres);

    for (const index of [0, 1]) {
      const namespace = NetworkNamespace.create(prefix, index, subnet + index);
      namespaces.push(namespace);
      // The shared servers listen on loopback only: each host reaches them
      // through relays on the root end of its own veth pair.
      const busRelay = await TcpRelay.start(
        { host: redis.hostname, port: Number(redis.port || 6379) },
        namespace.rootAddress,
      );
      const storeRelay = await TcpRelay.start(
        { host: postgres.hostname, port: Number(postgres.port || 5432) },
        namespace.rootAddress,
      );
      relays.push(busRelay, storeRelay);

      const instance = `host${index}-gateway-${GATEWAY_PORT}`;
      const gateway = new ClusterProcess(
        instance,
        'dist/gateway/src/main.js',
        {
          HOST: namespace.address,
          PORT: String(GATEWAY_PORT),
          INSTANCE: instance,
          BUS_URL: busRelay.rewrite(urls.redis),
          BUS_PREFIX: busPrefix,
          DATABASE_URL: storeRelay.rewrite(database.url),
        },
        logDir,
        namespace.launcher,
      );
      hosts.push({
        namespace,
        gateway,
        instance,
        url: `ws://${namespace.address}:${GATEWAY_PORT}/ws`,
      });
    }
    await Promise.all(hosts.map((host) => host.gateway.start(30_000)));

    const balancerPort = await freePort();
    balancer = new ClusterProcess(
      'balancer',
      'dist/balancer/src/main.js',
      {
        BALANCER_PORT: String(balancerPort),
        UPSTREAMS: hosts
          .map((host) => `${host.namespace.address}:${GATEWAY_PORT}`)
          .join(','),
        HEALTH_INTERVAL_MS: '250',
      },
      logDir,
    );
    await balancer.start();
    balancerWsUrl = `ws://127.0.0.1:${balancerPort}/ws`;
    balancerHttpUrl = `http://127.0.0.1:${balancerPort}`;
  }, 90_000);

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await balancer?.stop();
    await Promise.all(hosts.map((host) => host.gateway.stop()));
    await Promise.all(relays.map((relay) => relay.stop()));
    removeNamespaces();
    process.off('exit', removeNamespaces);
    await database?.drop();
  }, 30_000);

  it('runs each gateway inside its own namespace, on its own address', () => {
    const networkOf = (pid: number | string) =>
      readlinkSync(`/proc/${pid}/ns/net`);
    const gatewayNetworks = hosts.map((host) =>
      networkOf(host.gateway.pid ?? -1),
    );

    expect(new Set([networkOf('self'), ...gatewayNetworks]).size).toBe(3);
    for (const host of hosts) {
      const addresses = host.namespace.ip('-br', 'addr');
      expect(addresses).toContain(`${host.namespace.address}/30`);
      expect(host.gateway.running).toBe(true);
    }
  });

  it('sees both gateways up from the balancer in the root namespace', async () => {
    const states = await waitUntil('both upstreams up', async () => {
      const res = await fetch(`${balancerHttpUrl}/api/cluster`);
      const report = (await res.json()) as {
        instances: { server: string | null; state: string }[];
      };
      const up = report.instances.filter((i) => i.state === 'up');
      return up.length === 2 ? up : undefined;
    });

    expect(states.map((s) => s.server).sort()).toEqual(
      hosts.map((host) => host.instance).sort(),
    );
  });

  describe('a conversation through the balancer', () => {
    it('puts two clients on the two hosts and carries a message across with its origin server', async () => {
      const ann = await connect();
      const bob = await connect();
      await join(ann, 'hosts', 'ann');
      await join(bob, 'hosts', 'bob');

      ann.send('send', { room: 'hosts', text: 'hello, other host', id: 'h-1' });
      const received = await bob.waitFor('message', (m) => m.id === 'h-1');

      expect(new Set([ann.server, bob.server])).toEqual(
        new Set(hosts.map((host) => host.instance)),
      );
      expect(received).toMatchObject({
        seq: 1,
        nick: 'ann',
        text: 'hello, other host',
        server: ann.server,
      });
    });

    it('serves the message as history on either host', async () => {
      const late = await Promise.all(
        hosts.map(async (host) => {
          const client = await TestClient.connect(host.url);
          clients.push(client);
          return client;
        }),
      );
      const joined = await Promise.all(
        late.map((client, i) => join(client, 'hosts', `late${i}`)),
      );

      for (const [i, { history }] of joined.entries()) {
        expect(late[i].server).toBe(hosts[i].instance);
        expect(history.map((m) => [m.seq, m.id, m.text])).toEqual([
          [1, 'h-1', 'hello, other host'],
        ]);
      }
    });
  });
});
