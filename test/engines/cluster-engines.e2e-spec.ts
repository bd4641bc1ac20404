import { describeClusterBehaviour } from '../support/cluster-behaviour.js';
import { startEngineCluster } from '../support/engine-cluster.js';
import { describeWithEngines } from '../support/engine-urls.js';

describeWithEngines(
  'The cluster on Mosquitto and PostgreSQL',
  ['mqtt', 'postgres'],
  (urls) =>
    describeClusterBehaviour('as the embedded one', () =>
      startEngineCluster('cluster-mqtt-postgres', {
        postgresUrl: urls.postgres,
        busUrl: urls.mqtt,
      }),
    ),
);

describeWithEngines(
  'The cluster on Redis and PostgreSQL',
  ['redis', 'postgres'],
  (urls) =>
    describeClusterBehaviour('as the embedded one', () =>
      startEngineCluster('cluster-redis-postgres', {
        postgresUrl: urls.postgres,
        busUrl: urls.redis,
      }),
    ),
);
