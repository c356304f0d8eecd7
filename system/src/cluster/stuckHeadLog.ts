import type { LocalCluster } from './localCluster';

/**
 * What each command API says, asked directly (not through the balancer), about an upload whose
 * HEADs keep failing: its HEAD, its `/readyz`, the balancer's view of it, and its last log lines.
 */
export async function logStuckHead(cluster: LocalCluster, uploadUrl: string, headers: Record<string, string>, outcomes: string, log: (line: string) => void): Promise<void> {
  const { pathname } = new URL(uploadUrl);
  const stats = await fetch(`${cluster.statsUrl}/stats;csv`, { signal: AbortSignal.timeout(5000) })
    .then((response) => response.text())
    .catch((error: unknown) => `stats unavailable: ${(error as Error).message}`);
  const lines = [`tus HEAD stuck for ${pathname} (${outcomes}); HAProxy: ${serverStates(stats, ['command-api', 'postgres'])}`];
  for (const instance of cluster.instances.filter((candidate) => candidate.service === 'command-api')) {
    const head = await fetch(`${instance.baseUrl}${pathname}`, { method: 'HEAD', headers, signal: AbortSignal.timeout(15_000) })
      .then((response) => `${response.status} offset ${response.headers.get('upload-offset')}`)
      .catch((error: unknown) => (error as Error).name);
    const ready = await fetch(`${instance.baseUrl}/readyz`, { signal: AbortSignal.timeout(5000) })
      .then(async (response) => `${response.status} ${(await response.text()).slice(0, 200)}`)
      .catch((error: unknown) => (error as Error).name);
    lines.push(`${instance.name}: HEAD ${head}; /readyz ${ready}; log tail:\n${instance.child.output().slice(-2500)}`);
  }
  log(lines.join('\n'));
}

/** `backend server STATUS; …` for the named backends, from HAProxy's stats CSV (its 18th column is the status). */
function serverStates(csv: string, backends: readonly string[]): string {
  return csv
    .split('\n')
    .map((line) => line.split(','))
    .filter(([backend]) => backends.includes(backend ?? ''))
    .map(([backend, server, ...rest]) => `${backend} ${server} ${rest[15] ?? '?'}`)
    .join('; ');
}
