import type { Writable } from 'node:stream';
import { Cluster, type ClusterOptions, Redis, type RedisOptions, SentinelConnector } from 'ioredis';

/**
 * Connections, for one Redis, a Redis Cluster or a Sentinel-managed primary. Every part of
 * Flowdeck (the engine's commands, BullMQ queues and workers, blocking event readers, health)
 * gets its client here from one connection spec, so the same code runs on all three.
 *
 * Commands from the API must fail fast while Redis is down (a 503, not a hang), so the command
 * client gives up after a few retries. BullMQ workers and blocking readers need
 * `maxRetriesPerRequest: null` and their own connection. During a failover a client can
 * briefly reach a node that was just demoted: a READONLY reply makes it reconnect (Sentinel
 * then names the new primary) and send the command again.
 */

export interface RedisNode {
  host: string;
  port: number;
}

/** TLS to Redis. `ca` (PEM) is the authority to trust instead of Node's list, for a private CA. */
export interface RedisTls {
  ca?: string;
}

interface RedisAuth {
  username?: string;
  password?: string;
  /** TLS to every node, and to the sentinels in Sentinel mode. A `rediss://` URL needs no `tls`
   * unless the server's certificate comes from a private CA. */
  tls?: RedisTls;
}

export type RedisConnectionSpec =
  | ({ mode: 'single'; url: string } & RedisAuth)
  | ({ mode: 'cluster'; nodes: RedisNode[] } & RedisAuth)
  | ({ mode: 'sentinel'; sentinels: RedisNode[]; masterName: string; sentinelPassword?: string } & RedisAuth);

/** A client for any of the three: ioredis gives both the same commands. */
export type RedisClient = Redis | Cluster;

/** The spec for one Redis at `url` (`redis://[user:pass@]host:port[/db]`, or `rediss://`). */
export function fromUrl(url: string): RedisConnectionSpec {
  return { mode: 'single', url };
}

/** Where a spec points, without credentials, for logs and health. */
export function describeConnection(spec: RedisConnectionSpec): string {
  const list = (nodes: RedisNode[]) => nodes.map((n) => `${n.host}:${n.port}`).join(',');
  // A rediss:// URL says TLS by itself.
  const tls = spec.tls && !(spec.mode === 'single' && spec.url.startsWith('rediss://')) ? ' over TLS' : '';
  switch (spec.mode) {
    case 'single': {
      try {
        const url = new URL(spec.url);
        return `redis ${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}${tls}`;
      } catch {
        return 'redis (unparsable url)';
      }
    }
    case 'cluster':
      return `redis cluster ${list(spec.nodes)}${tls}`;
    case 'sentinel':
      return `redis sentinel ${spec.masterName} via ${list(spec.sentinels)}${tls}`;
  }
}

const retryStrategy = (times: number) => Math.min(times * 100, 2000);

/** READONLY: this node was a primary and is now a replica; reconnect and resend. */
const reconnectOnError = (error: Error) => (error.message.startsWith('READONLY') ? 2 : false);

/**
 * Failover tolerance of cluster clients: a command to a node that went away is retried after
 * `retryDelayOnFailover` while the slots are refreshed, up to `maxRedirections` times. These
 * numbers let a command wait out a replica's promotion (a few seconds) before it fails.
 */
const clusterFailover = {
  retryDelayOnFailover: 300,
  retryDelayOnClusterDown: 300,
  retryDelayOnTryAgain: 300,
  maxRedirections: 20,
  slotsRefreshTimeout: 2000,
  // With the ready check, a (re)connection made while a failover leaves slots uncovered fails
  // the check and reconnects, and the promise of that first connect() never settles: BullMQ
  // awaits it when it resets a worker's blocking connection, and that worker stops for good.
  // Without it, commands that reach the cluster too early get CLUSTERDOWN and are retried.
  enableReadyCheck: false,
  clusterRetryStrategy: (times: number) => Math.min(100 + times * 100, 2000),
} satisfies ClusterOptions;

/**
 * ioredis's Sentinel connector keeps the previous connection's failover detector while it
 * reconnects. When the detector hears +switch-master during a reconnection (which is exactly
 * when a killed primary is replaced) it aborts that reconnection, and the client gives up for
 * good ("Connection is closed." on every command). This connector drops the old detector before
 * each (re)connection; the new connection starts its own once it is up.
 */
class SentinelReconnector extends SentinelConnector {
  // ioredis passes the client's options, which hold the Sentinel settings.
  constructor(options: unknown) {
    super(options as ConstructorParameters<typeof SentinelConnector>[0]);
  }

  override connect(...args: Parameters<SentinelConnector['connect']>) {
    const self = this as unknown as { failoverDetector: { cleanup(): void } | null };
    self.failoverDetector?.cleanup();
    self.failoverDetector = null;
    return super.connect(...args);
  }
}

/**
 * Writes each tick's commands to the socket in one system call. ioredis writes every command
 * as it is issued; a fire or a step issues several at once (BullMQ's and Flowdeck's), and the
 * writes alone were a fifth of the process's CPU. The socket is corked at a tick's first write
 * and uncorked once the tick's callbacks and promise jobs have run. (ioredis's own
 * `enableAutoPipelining` copies every script BullMQ defines into each batch and was slower.)
 */
function writeInBatches(client: Redis) {
  client.on('connect', () => {
    const stream = (client as unknown as { stream?: Writable }).stream;
    if (!stream || batched.has(stream)) return;
    batched.add(stream);
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    let corked = false;
    const uncork = () => {
      corked = false;
      stream.uncork();
    };
    stream.write = ((...args: unknown[]) => {
      if (!corked) {
        corked = true;
        stream.cork();
        process.nextTick(uncork);
      }
      return write(...args);
    }) as Writable['write'];
  });
}
const batched = new WeakSet<Writable>();

function createClient(spec: RedisConnectionSpec, name: string, maxRetriesPerRequest: number | null) {
  const client = newClient(spec, name, maxRetriesPerRequest);
  if (client instanceof Cluster) client.on('+node', writeInBatches);
  else writeInBatches(client);
  return client;
}

/**
 * Why a command client cannot connect (refused, an untrusted certificate, a bad password), kept
 * until it connects again. A command that gives up only says it ran out of retries; health
 * reports this instead, which is what an operator can act on. A cluster client's own error is
 * about its slot map; the node's error says why.
 */
const connectionErrors = new WeakMap<RedisClient, string>();

function rememberConnectionErrors(client: RedisClient) {
  let nodeFailed = false;
  client.on('node error', (error: Error, address: string) => {
    nodeFailed = true;
    connectionErrors.set(client, `${error.message} (${address})`);
  });
  client.on('error', (error: Error) => {
    if (!nodeFailed) connectionErrors.set(client, error.message);
  });
  client.on('ready', () => {
    nodeFailed = false;
    connectionErrors.delete(client);
  });
}

function newClient(spec: RedisConnectionSpec, name: string, maxRetriesPerRequest: number | null) {
  const auth = {
    ...(spec.username ? { username: spec.username } : {}),
    ...(spec.password ? { password: spec.password } : {}),
  };
  const { tls } = spec;
  switch (spec.mode) {
    case 'single': {
      const client = new Redis(spec.url, {
        connectionName: name,
        maxRetriesPerRequest,
        enableOfflineQueue: true,
        retryStrategy,
        reconnectOnError,
        ...auth,
        ...(tls ? { tls } : {}),
      } satisfies RedisOptions);
      if (maxRetriesPerRequest !== null) failFastWhileDown(client);
      return client;
    }
    case 'cluster': {
      const cluster = new Cluster(spec.nodes, {
        ...clusterFailover,
        enableOfflineQueue: true,
        redisOptions: {
          connectionName: name,
          maxRetriesPerRequest,
          reconnectOnError,
          ...auth,
          ...(tls ? { tls } : {}),
        },
      });
      if (maxRetriesPerRequest !== null) failFastWhileUnreachable(cluster);
      return cluster;
    }
    case 'sentinel':
      return new Redis({
        sentinels: spec.sentinels,
        name: spec.masterName,
        role: 'master',
        ...(spec.sentinelPassword ? { sentinelPassword: spec.sentinelPassword } : {}),
        sentinelRetryStrategy: retryStrategy,
        // Sentinel announces a new primary on +switch-master; without listening, a client stays
        // on the old primary (which keeps taking writes) until Sentinel demotes it, seconds later.
        failoverDetector: true,
        Connector: SentinelReconnector,
        connectionName: name,
        maxRetriesPerRequest,
        enableOfflineQueue: true,
        retryStrategy,
        reconnectOnError,
        ...auth,
        // The primary and replicas it names, and the sentinels themselves, over TLS alike.
        ...(tls ? { tls, sentinelTLS: tls, enableTLSForSentinelMode: true } : {}),
      } satisfies RedisOptions);
  }
}

/**
 * A cluster client that has lost every node queues commands until the cluster is back, however
 * long that takes. The command client must fail fast instead (the API answers 503), so while no
 * node is reachable its commands fail at once. One master failing over does not count: the
 * client keeps the other masters, and commands for the failed one wait for its replica.
 */
function failFastWhileUnreachable(cluster: Cluster) {
  cluster.on('close', () => {
    cluster.options.enableOfflineQueue = false;
    // Commands sent before the first connection failed (a process started while the cluster is
    // unreachable) would wait in the offline queue until it answers, however long that takes.
    (cluster as unknown as { flushQueue(error: Error): void }).flushQueue(
      new Error("Cluster isn't ready: no node answers"),
    );
  });
  cluster.on('ready', () => {
    cluster.options.enableOfflineQueue = true;
  });
}

/**
 * A single Redis that cannot be reached: each command would wait out its retries (seconds, more
 * as the reconnection delay grows) before it fails. Once a connection attempt has failed, commands
 * fail at once instead, until the client is ready again. The first reconnection still gets its
 * chance, so a reconnect after READONLY (a failover) resends what was queued.
 */
function failFastWhileDown(client: Redis) {
  client.on('error', () => {
    if (client.status === 'ready') return;
    client.options.enableOfflineQueue = false;
    // Commands queued since the connection was lost would otherwise wait for their retries.
    (client as unknown as { flushQueue(error: Error): void }).flushQueue(new Error('Connection is closed.'));
  });
  client.on('ready', () => {
    client.options.enableOfflineQueue = true;
  });
}

/** For the engine's commands and BullMQ queues: gives up after a few retries while Redis is down. */
export function commandClient(spec: RedisConnectionSpec, name: string): RedisClient {
  const client = createClient(spec, name, 2);
  rememberConnectionErrors(client);
  return client;
}

/** For BullMQ workers and blocking reads: waits for Redis to come back, however long it takes. */
export function blockingClient(spec: RedisConnectionSpec, name: string): RedisClient {
  return createClient(spec, name, null);
}

export interface RedisHealth {
  ok: boolean;
  latencyMs: number | null;
  error?: string;
}

/**
 * PING, and on a cluster also `CLUSTER INFO`: a cluster that answers but has slots without a
 * primary (a failover in progress) cannot serve every flow, so it is not healthy.
 */
export async function checkRedis(client: RedisClient): Promise<RedisHealth> {
  const started = performance.now();
  try {
    await client.ping();
    if (client instanceof Cluster) {
      const info = await client.cluster('INFO');
      const state = /cluster_state:(\w+)/.exec(String(info))?.[1];
      if (state !== 'ok')
        return { ok: false, latencyMs: null, error: `cluster state is ${state ?? 'unknown'}` };
    }
    return { ok: true, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (error) {
    const cause = client.status === 'ready' ? undefined : connectionErrors.get(client);
    const message = cause ? `cannot connect: ${cause}` : (error as Error).message;
    return { ok: false, latencyMs: null, error: message };
  }
}

/** Closes a client, waiting for replies in flight, or drops it if it cannot. */
export async function closeClient(client: RedisClient): Promise<void> {
  await client.quit().catch(() => client.disconnect());
}
