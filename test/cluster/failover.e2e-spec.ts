import { describeFailoverBehaviour } from '../support/failover-behaviour.js';
import { startTestCluster } from '../support/test-cluster.js';

describeFailoverBehaviour('Failover', 'failover-figures', (env) =>
  startTestCluster('failover', { env }),
);
