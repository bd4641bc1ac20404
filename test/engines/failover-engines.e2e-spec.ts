import { startEngineCluster } from '../support/engine-cluster.js';
import { describeWithEngines } from '../support/engine-urls.js';
import { describeFailoverBehaviour } from '../support/failover-behaviour.js';

describeWithEngines(
  'Failover on Mosquitto and PostgreSQL',
  ['mqtt', 'postgres'],
  (urls) =>
    describeFailoverBehaviour(
      'as on the embedded bus',
      'failover-mqtt-postgres-figures',
      (env) =>
        startEngineCluster('failover-mqtt-postgres', {
          postgresUrl: urls.postgres,
          busUrl: urls.mqtt,
          env,
        }),
    ),
);

describeWithEngines(
  'Failover on Redis and PostgreSQL',
  ['redis', 'postgres'],
  (urls) =>
    describeFailoverBehaviour(
      'as on the embedded bus',
      'failover-redis-postgres-figures',
      (env) =>
        startEngineCluster('failover-redis-postgres', {
          postgresUrl: urls.postgres,
          busUrl: urls.redis,
          env,
        }),
    ),
);
