// `npm run cluster`: the cluster of deploy/local/README.md on this machine (see system/src/cluster).
import { runClusterCommand } from '../../system/src/cluster/main';

runClusterCommand(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`cluster failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
