import { describeClusterBehaviour } from '../support/cluster-behaviour.js';
import { startTestCluster } from '../support/test-cluster.js';

describeClusterBehaviour('The cluster', () => startTestCluster('cluster'));
