import { appendFile, chown, mkdir, rm } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import pg from 'pg';
import { asServerUser, freePort, postgresBin, serverUserIds } from '@reelay/testing';
import { until } from './processHandle';

/** One Postgres server of the pair, and the small HTTP agent HAProxy asks whether it is the primary. */
export interface PostgresNode {
  readonly name: string;
  readonly port: number;
  /** `GET /primary` answers 200 when this server accepts writes, 503 otherwise (replica or down). */
  readonly agentPort: number;
  isRunning(): boolean;
}

export interface FailoverTimes {
  /** When the primary was stopped, and when the replica had been promoted (epoch ms). */
  readonly stoppedAt: number;
  readonly promotedAt: number;
}

/**
 * A Postgres primary with one streaming replica (made by pg_basebackup), both on loopback, that can
 * fail over: the primary is stopped, the replica promoted, and the old primary rebuilt from the
 * new one as its replica. Replication is synchronous while a replica streams (a commit waits for
 * the replica's flush), so a failover loses no acknowledged write; while the pair is one server
 * (between a promotion and the rebuild) the primary commits alone rather than stall.
 */
export interface PostgresPair {
  readonly nodes: readonly PostgresNode[];
  primary(): PostgresNode;
  replica(): PostgresNode;
  /** True while a replica streams from the primary (a failover is possible). */
  replicaStreaming(): Promise<boolean>;
  failover(mode: 'fast' | 'immediate'): Promise<FailoverTimes>;
  /** Makes the stopped old primary a replica of the new one (pg_basebackup), and replication synchronous again. */
  rebuildReplica(): Promise<void>;
  stop(): Promise<void>;
}

interface NodeState extends PostgresNode {
  readonly dataDir: string;
  running: boolean;
}

export async function startPostgresPair(directory: string): Promise<PostgresPair> {
  const bin = postgresBin();
  const owner = await serverUserIds();
  await mkdir(directory, { recursive: true });
  if (owner) await chown(directory, owner.uid, owner.gid);
  const nodes: NodeState[] = [];
  for (const name of ['pg-a', 'pg-b']) {
    const node: NodeState = {
      name,
      port: await freePort(),
      agentPort: await freePort(),
      dataDir: path.join(directory, name),
      running: false,
      isRunning: () => node.running,
    };
    nodes.push(node);
  }
  let [primary, replica] = nodes as [NodeState, NodeState];

  const pgCtl = (node: NodeState, args: readonly string[]) => asServerUser(path.join(bin, 'pg_ctl'), ['-D', node.dataDir, ...args]);
  const start = async (node: NodeState) => {
    await pgCtl(node, ['-l', path.join(directory, `${node.name}.log`), '-w', '-t', '60', 'start']);
    node.running = true;
  };
  const stopNode = async (node: NodeState, mode: 'fast' | 'immediate') => {
    if (!node.running) return;
    await pgCtl(node, ['-m', mode, '-w', '-t', '60', 'stop']);
    node.running = false;
  };
  // Later lines of postgresql.auto.conf win: a base backup copies the primary's, so the replica's own lines go after.
  const ownSettings = async (node: NodeState, extra: readonly string[] = []) => {
    const file = path.join(node.dataDir, 'postgresql.auto.conf');
    await appendFile(file, [`port = ${node.port}`, `listen_addresses = '127.0.0.1'`, `unix_socket_directories = '${directory}'`, ...extra, ''].join('\n'));
    if (owner) await chown(file, owner.uid, owner.gid);
  };
  const sql = async <T>(node: NodeState, text: string): Promise<T[]> => {
    const client = new pg.Client({ host: '127.0.0.1', port: node.port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 1500 });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query(text)).rows as T[];
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  const setSynchronous = (node: NodeState, on: boolean) =>
    sql(node, `ALTER SYSTEM SET synchronous_standby_names = '${on ? '*' : ''}'`).then(() => sql(node, 'SELECT pg_reload_conf()'));
  const baseBackup = async (from: NodeState, to: NodeState) => {
    await rm(to.dataDir, { recursive: true, force: true });
    // -R writes primary_conninfo and standby.signal; -X stream copies the WAL made meanwhile.
    await asServerUser(path.join(bin, 'pg_basebackup'), ['-h', '127.0.0.1', '-p', String(from.port), '-U', 'postgres', '-D', to.dataDir, '-R', '-X', 'stream', '-c', 'fast']);
    await ownSettings(to);
    await start(to);
  };
  const streaming = async () => {
    const rows = await sql<{ count: string }>(primary, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'").catch(() => [{ count: '0' }]);
    return Number(rows[0]?.count ?? 0) > 0;
  };
  const untilStreaming = () => until(streaming, 60_000, () => 'the replica did not start streaming within 60 s');

  const agents = nodes.map((node) => {
    // One connection kept per node (a new backend for every check would cost a fork each time).
    let client: Promise<pg.Client> | undefined;
    const role = async () => {
      client ??= (async () => {
        const opened = new pg.Client({ host: '127.0.0.1', port: node.port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 2000 });
        opened.on('error', () => (client = undefined));
        await opened.connect();
        return opened;
      })();
      try {
        return (await (await client).query<{ recovery: boolean }>('SELECT pg_is_in_recovery() AS recovery')).rows;
      } catch (error) {
        void client?.then((stale) => stale.end()).catch(() => undefined);
        client = undefined;
        throw error;
      }
    };
    return http.createServer((_request, response) => {
      void role().then(
        (rows) => {
          const isPrimary = rows[0]?.recovery === false;
          response.writeHead(isPrimary ? 200 : 503).end(isPrimary ? 'primary\n' : 'replica\n');
        },
        () => response.writeHead(503).end('down\n'),
      );
    });
  });
  await Promise.all(agents.map((agent, index) => new Promise<void>((resolve) => agent.listen(nodes[index]?.agentPort, '127.0.0.1', resolve))));

  await asServerUser(path.join(bin, 'initdb'), ['-D', primary.dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  // No fsync: the data is thrown away, and a stop (not a power cut) keeps what was written.
  await ownSettings(primary, ['fsync = off', 'full_page_writes = off', 'max_connections = 300', 'shared_buffers = 64MB', "wal_keep_size = '512MB'", 'synchronous_commit = on']);
  await start(primary);
  await baseBackup(primary, replica);
  await untilStreaming();
  await setSynchronous(primary, true);

  const pair: PostgresPair = {
    nodes,
    primary: () => primary,
    replica: () => replica,
    replicaStreaming: () => (replica.running ? streaming() : Promise.resolve(false)),
    async failover(mode) {
      const stoppedAt = Date.now();
      await stopNode(primary, mode);
      await pgCtl(replica, ['-w', '-t', '60', 'promote']);
      const promotedAt = Date.now();
      [primary, replica] = [replica, primary];
      // Alone now: a synchronous primary with no replica would stall every commit.
      await setSynchronous(primary, false);
      return { stoppedAt, promotedAt };
    },
    async rebuildReplica() {
      await baseBackup(primary, replica);
      await untilStreaming();
      await setSynchronous(primary, true);
    },
    async stop() {
      await Promise.all(nodes.map((node) => stopNode(node, 'fast').catch(() => stopNode(node, 'immediate'))));
      await Promise.all(agents.map((agent) => new Promise((resolve) => agent.close(resolve))));
    },
  };
  return pair;
}
