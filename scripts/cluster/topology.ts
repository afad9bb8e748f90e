// Real Redis topologies on loopback ports: a Redis Cluster (masters + replicas, built with
// `redis-cli --cluster create`) and a Sentinel setup (a master, a replica and three sentinels).
// Each node gets its own port, data folder and append-only file under the run's temp dir.

import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ping } from '../lib/redis.mjs';
import { freePorts, Proc, waitFor } from './processes.ts';

const run = promisify(execFile);
const HOST = '127.0.0.1';

/** One redis-cli command against a port; the reply as text (`--no-raw` off: one value per line). */
export async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', HOST, '-p', String(port), ...args], { timeout: 10_000 });
  return stdout.trim();
}

export interface RedisNodeProc {
  port: number;
  dir: string;
  proc: Proc;
  /** Starts the node again after it was stopped or killed: same port, same data folder. */
  restart(): Promise<void>;
}

const COMMON_ARGS = [
  '--bind',
  HOST,
  '--daemonize',
  'no',
  '--appendonly',
  'yes',
  '--save',
  '',
  '--hz',
  '100',
  '--maxmemory-policy',
  'noeviction',
];

async function startNode(
  name: string,
  baseDir: string,
  logDir: string,
  port: number,
  extra: string[],
): Promise<RedisNodeProc> {
  const dir = join(baseDir, name);
  mkdirSync(dir, { recursive: true });
  const launch = async () => {
    const proc = new Proc(
      name,
      'redis-server',
      ['--port', String(port), '--dir', dir, ...COMMON_ARGS, ...extra],
      {
        logFile: join(logDir, `${name}.log`),
      },
    );
    await waitFor(`${name} to answer PING`, async () => {
      if (!proc.alive) throw new Error(`${name} exited:\n${proc.lastLines()}`);
      const reply = await ping(port);
      // A restarted node answers -LOADING while it reads its append-only file.
      return reply === 'PONG' ? true : undefined;
    });
    return proc;
  };
  const node: RedisNodeProc = {
    port,
    dir,
    proc: await launch(),
    async restart() {
      if (node.proc.alive) await node.proc.stop();
      node.proc = await launch();
    },
  };
  return node;
}

// ---------------------------------------------------------------------------------------------
// Redis Cluster

export interface ClusterNodeInfo {
  id: string;
  port: number;
  flags: string[];
  masterId: string | null;
  connected: boolean;
  slots: [number, number][];
}

export function parseClusterNodes(text: string): ClusterNodeInfo[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [id = '', address = '', flags = '', master = '-', , , , link = '', ...slots] = line.split(' ');
      const port = Number(/:(\d+)@/.exec(address)?.[1] ?? 0);
      return {
        id,
        port,
        flags: flags.split(','),
        masterId: master === '-' ? null : master,
        connected: link === 'connected',
        slots: slots
          .filter((s) => !s.startsWith('['))
          .map((s) => {
            const [from, to] = s.split('-').map(Number);
            return [from ?? 0, to ?? from ?? 0] as [number, number];
          }),
      };
    });
}

export interface RedisClusterTopology {
  kind: 'cluster';
  nodes: RedisNodeProc[];
  /** `REDIS_CLUSTER_NODES` for the services: every node as a seed. */
  seeds: string;
  /** The cluster as one live node sees it. */
  view(): Promise<ClusterNodeInfo[]>;
  /** Masters that serve slots and are not failed, with their slot ranges. */
  masters(): Promise<ClusterNodeInfo[]>;
  node(port: number): RedisNodeProc;
  stop(): Promise<void>;
}

export async function startCluster(options: {
  baseDir: string;
  logDir: string;
  masters: number;
  replicasPerMaster: number;
  nodeTimeoutMs: number;
}): Promise<RedisClusterTopology> {
  const count = options.masters * (1 + options.replicasPerMaster);
  const ports = await freePorts(count * 2);
  const nodes: RedisNodeProc[] = [];
  for (let i = 0; i < count; i++) {
    const port = ports[i * 2]!;
    const busPort = ports[i * 2 + 1]!;
    nodes.push(
      await startNode(`redis-cluster-${i + 1}`, options.baseDir, options.logDir, port, [
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(options.baseDir, `redis-cluster-${i + 1}`, 'nodes.conf'),
        '--cluster-node-timeout',
        String(options.nodeTimeoutMs),
        '--cluster-port',
        String(busPort),
      ]),
    );
  }
  // redis-cli makes the first `masters` nodes masters and gives each its replicas.
  await run(
    'redis-cli',
    [
      '--cluster',
      'create',
      ...nodes.map((n) => `${HOST}:${n.port}`),
      '--cluster-replicas',
      String(options.replicasPerMaster),
      '--cluster-yes',
    ],
    { timeout: 60_000 },
  );

  const alive = () => nodes.filter((n) => n.proc.alive);
  async function view(): Promise<ClusterNodeInfo[]> {
    for (const node of alive()) {
      try {
        return parseClusterNodes(await cli(node.port, 'CLUSTER', 'NODES'));
      } catch {
        // try the next node
      }
    }
    throw new Error('no cluster node answers');
  }
  const masters = async () =>
    (await view()).filter(
      (n) => n.flags.includes('master') && !n.flags.includes('fail') && n.slots.length > 0,
    );

  // Ready: every node says the cluster is ok and knows every other node, and every replica
  // has finished its first sync.
  await waitFor(
    'the cluster to be ready on every node',
    async () => {
      for (const node of nodes) {
        const info = await cli(node.port, 'CLUSTER', 'INFO');
        if (!info.includes('cluster_state:ok') || !info.includes(`cluster_known_nodes:${count}`)) return;
        const replication = await cli(node.port, 'INFO', 'replication');
        if (replication.includes('role:slave') && !replication.includes('master_link_status:up')) return;
      }
      return (await masters()).length === options.masters ? true : undefined;
    },
    60_000,
    200,
  );

  return {
    kind: 'cluster',
    nodes,
    seeds: nodes.map((n) => `${HOST}:${n.port}`).join(','),
    view,
    masters,
    node(port) {
      const found = nodes.find((n) => n.port === port);
      if (!found) throw new Error(`no cluster node on port ${port}`);
      return found;
    },
    async stop() {
      await Promise.all(nodes.map((n) => n.proc.stop()));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Redis Sentinel

export interface SentinelTopology {
  kind: 'sentinel';
  masterName: string;
  /** The data nodes (first the initial master, then the replica). */
  nodes: RedisNodeProc[];
  sentinels: RedisNodeProc[];
  /** `REDIS_SENTINELS` for the services. */
  seeds: string;
  /** The port the sentinels currently name as master. */
  currentMaster(): Promise<number>;
  node(port: number): RedisNodeProc;
  stop(): Promise<void>;
}

export async function startSentinel(options: {
  baseDir: string;
  logDir: string;
  masterName: string;
  downAfterMs: number;
}): Promise<SentinelTopology> {
  const [masterPort, replicaPort, ...sentinelPorts] = await freePorts(5);
  const master = await startNode('redis-primary', options.baseDir, options.logDir, masterPort!, []);
  const replica = await startNode('redis-replica', options.baseDir, options.logDir, replicaPort!, [
    '--replicaof',
    HOST,
    String(masterPort),
  ]);
  const name = options.masterName;
  const sentinels: RedisNodeProc[] = [];
  for (const [i, port] of sentinelPorts.entries()) {
    const dir = join(options.baseDir, `sentinel-${i + 1}`);
    mkdirSync(dir, { recursive: true });
    const conf = join(dir, 'sentinel.conf');
    writeFileSync(
      conf,
      [
        `port ${port}`,
        `bind ${HOST}`,
        `dir ${dir}`,
        `sentinel monitor ${name} ${HOST} ${masterPort} 2`,
        `sentinel down-after-milliseconds ${name} ${options.downAfterMs}`,
        `sentinel failover-timeout ${name} 10000`,
        `sentinel parallel-syncs ${name} 1`,
        '',
      ].join('\n'),
    );
    const proc = new Proc(`sentinel-${i + 1}`, 'redis-server', [conf, '--sentinel'], {
      logFile: join(options.logDir, `sentinel-${i + 1}.log`),
    });
    await waitFor(`sentinel-${i + 1} to answer PING`, async () => {
      if (!proc.alive) throw new Error(`sentinel-${i + 1} exited:\n${proc.lastLines()}`);
      return (await ping(port)) === 'PONG' ? true : undefined;
    });
    sentinels.push({
      port,
      dir,
      proc,
      restart: () => Promise.reject(new Error('restarting a sentinel is not supported')),
    });
  }

  const field = (reply: string, key: string) => {
    const lines = reply.split('\n');
    const at = lines.indexOf(key);
    return at === -1 ? undefined : lines[at + 1];
  };
  // Ready: the replica is in sync and every sentinel sees the replica and the other sentinels.
  await waitFor(
    'the replica and the sentinels to be ready',
    async () => {
      const replication = await cli(replicaPort!, 'INFO', 'replication');
      if (!replication.includes('master_link_status:up')) return;
      for (const sentinel of sentinels) {
        const reply = await cli(sentinel.port, 'SENTINEL', 'MASTER', name);
        if (field(reply, 'num-slaves') !== '1' || field(reply, 'num-other-sentinels') !== '2') return;
      }
      return true;
    },
    60_000,
    200,
  );

  const nodes = [master, replica];
  return {
    kind: 'sentinel',
    masterName: name,
    nodes,
    sentinels,
    seeds: sentinels.map((s) => `${HOST}:${s.port}`).join(','),
    async currentMaster() {
      for (const sentinel of sentinels.filter((s) => s.proc.alive)) {
        try {
          const [, port] = (await cli(sentinel.port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)).split(
            '\n',
          );
          if (port) return Number(port);
        } catch {
          // ask the next sentinel
        }
      }
      throw new Error('no sentinel names a master');
    },
    node(port) {
      const found = nodes.find((n) => n.port === port);
      if (!found) throw new Error(`no Redis node on port ${port}`);
      return found;
    },
    async stop() {
      await Promise.all(sentinels.map((s) => s.proc.stop()));
      await Promise.all(nodes.map((n) => n.proc.stop()));
    },
  };
}
