/** A process behind the balancer: where it serves, and (for Postgres) where its role is asked. */
export interface Backend {
  readonly name: string;
  readonly port: number;
  /** Where the health check goes when not to `port` itself (the Postgres role agent). */
  readonly checkPort?: number;
}

export interface HaproxyLayout {
  readonly commandApiPort: number;
  readonly queryApiPort: number;
  readonly postgresPort: number;
  /** Prometheus metrics (`/metrics`) and the stats page (`/stats`). */
  readonly statsPort: number;
  readonly commandApis: readonly Backend[];
  readonly queryApis: readonly Backend[];
  readonly postgres: readonly Backend[];
}

const servers = (backends: readonly Backend[]) =>
  backends.map((backend) => `  server ${backend.name} 127.0.0.1:${backend.port} check${backend.checkPort ? ` port ${backend.checkPort}` : ''}`);

/**
 * The load balancer of the local cluster, as haproxy.cfg:
 * - the APIs round-robin, no stickiness (tus locks live in Postgres), each checked on `/readyz`,
 *   so an API that lost a dependency stops getting requests before it fails them;
 * - Postgres in TCP mode, only to the server whose role agent says `primary` (Patroni's pattern:
 *   an HTTP check beside the database); when the primary goes down its sessions are cut, so no
 *   client keeps a connection to a server that is no longer the primary.
 */
export function haproxyConfig(layout: HaproxyLayout): string {
  return [
    'global',
    '  maxconn 4096',
    '',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    // Uploads stream for minutes and long-polls wait: the services bound their own requests.
    '  timeout client 10m',
    '  timeout server 10m',
    '  timeout http-request 30s',
    '  option redispatch',
    '  retries 2',
    // A check's answer may take seconds on busy cores; a server is marked down after three misses.
    '  timeout check 3s',
    '  default-server inter 1s fall 3 rise 2',
    '',
    'frontend command-api',
    `  bind 127.0.0.1:${layout.commandApiPort}`,
    '  default_backend command-api',
    '',
    'backend command-api',
    '  balance roundrobin',
    '  option httpchk GET /readyz',
    '  http-check expect status 200',
    ...servers(layout.commandApis),
    '',
    'frontend query-api',
    `  bind 127.0.0.1:${layout.queryApiPort}`,
    '  default_backend query-api',
    '',
    'backend query-api',
    '  balance roundrobin',
    '  option httpchk GET /readyz',
    '  http-check expect status 200',
    ...servers(layout.queryApis),
    '',
    'listen postgres',
    '  mode tcp',
    `  bind 127.0.0.1:${layout.postgresPort}`,
    // Pooled and LISTEN connections sit idle for long; the services' own keep-alives bound them.
    '  timeout client 1h',
    '  timeout server 1h',
    '  option httpchk GET /primary',
    '  http-check expect status 200',
    // A primary marked down has its sessions cut, so one slow answer must not do it: three misses
    // in a row, each given 3 s (on two busy cores an answer took over 500 ms).
    '  timeout check 3s',
    '  default-server inter 1s fall 3 rise 2 on-marked-down shutdown-sessions',
    ...servers(layout.postgres),
    '',
    'frontend stats',
    `  bind 127.0.0.1:${layout.statsPort}`,
    '  http-request use-service prometheus-exporter if { path /metrics }',
    '  stats enable',
    '  stats uri /stats',
    '',
  ].join('\n');
}
