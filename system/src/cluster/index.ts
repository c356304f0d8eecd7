export { startLocalCluster, DEFAULT_COUNTS, type ClusterCounts, type ClusterService, type LocalCluster, type LocalClusterOptions, type ServiceInstance } from './localCluster';
export { runClusterSoak, type ClusterSoakOptions } from './clusterSoak';
export type { ClusterSoakReport } from './clusterSoakReport';
export { sendVideo, randomVideo } from '../chaos/phone';
