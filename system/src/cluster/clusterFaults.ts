import pg from 'pg';
import type { FailoverTimes } from './postgresPair';
import type { ClusterService, LocalCluster } from './localCluster';
import { httpStatus, until } from './processHandle';

export const CLUSTER_FAULTS = [
  'kill command-api',
  'kill query-api',
  'kill uploader',
  'kill projector',
  'kill notifier',
  'kill nats node',
  'pause nats node',
  'fail over postgres',
  'kill haproxy',
  'kill command-api during tus',
] as const;
export type ClusterFault = (typeof CLUSTER_FAULTS)[number];

/** A NATS node lost (killed, or frozen as behind a partition), and whether it led the jobs stream. */
export interface NatsFault {
  readonly kind: 'kill nats node' | 'pause nats node';
  readonly node: string;
  readonly at: number;
  readonly ledJobsStream: boolean;
  /** How long it was gone (down or frozen) until it was back and current. */
  readonly goneMs: number;
  /** The video uploaded right after the loss, while the node was still gone: its job's start times the recovery. */
  readonly probeVideoId: string;
}

export interface PostgresFailover extends FailoverTimes {
  readonly mode: 'fast' | 'immediate';
  /** When HAProxy first handed a new connection to the new primary. */
  readonly routedAt: number;
  /** When an upload sent right after the promotion was accepted (its events written). */
  readonly writeAcceptedAt: number;
}

/** One small upload through the balancer, retried until accepted; resolves when its job has started. */
export interface Probe {
  upload(): Promise<{ videoId: string; acceptedAt: number; untilStarted(): Promise<void> }>;
}

export interface FaultInjector {
  /** Injects one fault; false when it cannot now (a failover while the old primary is still being rebuilt). */
  inject(kind: ClusterFault): Promise<boolean>;
  readonly natsFaults: readonly NatsFault[];
  readonly failovers: readonly PostgresFailover[];
  /** A killed copy that is being started again (the soak must not count it as died by itself). */
  isRestarting(name: string): boolean;
  /** Waits for a replica rebuild and the restarts under way. */
  settle(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const between = (min: number, max: number) => min + Math.random() * (max - min);
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

/**
 * The cluster soak's faults: a copy of any service killed (SIGKILL) and started again, a NATS
 * node killed or frozen (SIGSTOP … SIGCONT), Postgres failed over to its replica (the old primary
 * then rebuilt as the new replica, in the background), the balancer killed, and a command API
 * killed while tus PATCHes are in flight through the balancer.
 */
export function createFaultInjector(cluster: LocalCluster, options: { tusInFlight: () => number; probe: Probe; log: (line: string) => void }): FaultInjector {
  const natsFaults: NatsFault[] = [];
  const failovers: PostgresFailover[] = [];
  let rebuilding: Promise<void> | undefined;

  // Copies started again after a kill, until they answer /healthz (as a supervisor would, in the background).
  const booting = new Map<string, Promise<void>>();
  const killService = async (service: ClusterService, when?: () => boolean) => {
    // One copy of a service down at a time: the other one serves meanwhile.
    if (cluster.instances.some((candidate) => candidate.service === service && booting.has(candidate.name))) return undefined;
    if (when) {
      const deadline = Date.now() + 10_000;
      while (!when() && Date.now() < deadline) await sleep(20);
    }
    const instance = pick(cluster.instances.filter((candidate) => candidate.service === service && candidate.child.isRunning()));
    await instance.child.kill();
    await sleep(between(0, 500));
    booting.set(
      instance.name,
      cluster
        .startInstance(instance)
        .catch((error: unknown) => options.log(`${instance.name} did not start again: ${(error as Error).message}`))
        .finally(() => booting.delete(instance.name)),
    );
    return instance.name;
  };

  const loseNatsNode = async (kind: NatsFault['kind']) => {
    const node = pick(cluster.nats.nodes);
    const ledJobsStream = (await jobsStreamLeader(cluster)) === node.name;
    const at = Date.now();
    if (kind === 'kill nats node') await node.process.stop('SIGKILL');
    else node.process.freeze();
    // While the node is gone: a job published now must start on the two that are left.
    const probe = await options.probe.upload();
    await Promise.all([probe.untilStarted(), sleep(between(1000, 3000))]);
    if (kind === 'kill nats node') {
      await node.start();
    } else {
      node.process.thaw();
      // A thawed node catches up on its streams before /healthz says 200: over a minute on two busy cores.
      await until(async () => (await httpStatus(`${node.monitorUrl}/healthz`)) === 200, 180_000, () => `${node.name} did not recover after SIGCONT`);
    }
    natsFaults.push({ kind, node: node.name, at, ledJobsStream, goneMs: Date.now() - at, probeVideoId: probe.videoId });
    return node.name;
  };

  const failOver = async () => {
    if (rebuilding || !(await cluster.postgres.replicaStreaming())) return undefined;
    const mode = Math.random() < 0.5 ? 'fast' : 'immediate';
    const times = await cluster.postgres.failover(mode);
    const [routedAt, probe] = await Promise.all([untilRoutedToPrimary(cluster.databaseUrl), options.probe.upload()]);
    failovers.push({ ...times, mode, routedAt, writeAcceptedAt: probe.acceptedAt });
    rebuilding = cluster.postgres
      .rebuildReplica()
      .catch((error: unknown) => options.log(`rebuilding the replica failed: ${(error as Error).message}`))
      .finally(() => {
        rebuilding = undefined;
      });
    return `${cluster.postgres.primary().name} promoted (${mode} stop)`;
  };

  const inject = async (kind: ClusterFault): Promise<boolean> => {
    const began = Date.now();
    let target: string | undefined;
    switch (kind) {
      case 'kill nats node':
      case 'pause nats node':
        target = await loseNatsNode(kind);
        break;
      case 'fail over postgres':
        target = await failOver();
        break;
      case 'kill haproxy':
        await cluster.haproxy.stop('SIGKILL');
        await sleep(between(200, 800));
        await cluster.startHaproxy();
        target = 'haproxy';
        break;
      case 'kill command-api during tus':
        target = await killService('command-api', () => options.tusInFlight() > 0);
        break;
      default:
        target = await killService(kind.slice('kill '.length) as ClusterService);
    }
    if (target) options.log(`fault: ${kind} (${target}), back after ${Date.now() - began} ms`);
    return target !== undefined;
  };

  return {
    inject,
    natsFaults,
    failovers,
    isRestarting: (name) => booting.has(name),
    settle: async () => {
      await rebuilding;
      await Promise.all(booting.values());
    },
  };
}

/** The node leading the jobs stream's Raft group, as a live node's monitoring endpoint says. */
async function jobsStreamLeader(cluster: LocalCluster): Promise<string | undefined> {
  for (const node of cluster.nats.nodes) {
    try {
      const response = await fetch(`${node.monitorUrl}/jsz?streams=true`, { signal: AbortSignal.timeout(1000) });
      const body = (await response.json()) as { account_details?: { stream_detail?: { name: string; cluster?: { leader?: string } }[] }[] };
      const stream = body.account_details?.flatMap((account) => account.stream_detail ?? []).find((candidate) => candidate.name === cluster.stream);
      if (stream?.cluster?.leader) return stream.cluster.leader;
    } catch {
      // A node that does not answer: ask the next.
    }
  }
  return undefined;
}

/** Polls through the balancer until a new connection lands on a server that accepts writes. */
async function untilRoutedToPrimary(databaseUrl: string): Promise<number> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 1000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const { rows } = await client.query<{ recovery: boolean }>('SELECT pg_is_in_recovery() AS recovery');
      if (rows[0]?.recovery === false) return Date.now();
    } catch {
      // Not routed yet.
    } finally {
      await client.end().catch(() => undefined);
    }
    if (Date.now() > deadline) throw new Error('HAProxy did not route to the new primary within 60 s');
    await sleep(50);
  }
}
