// The services on top of a Redis topology: API replicas and workers, each its own process started
// as `npm start` starts them, configured only through the environment.

import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ApiClient } from './http.ts';
import { freePorts, type Proc, startService, waitFor } from './processes.ts';
import type { RedisClusterTopology, SentinelTopology } from './topology.ts';

export type Topology = RedisClusterTopology | SentinelTopology;

export const FLOWS_MODULE = fileURLToPath(new URL('flows.ts', import.meta.url));

/** Which flows each worker hosts; undefined: every flow it loads (the examples and the tick flows). */
export const WORKER_FLOWS: (string[] | undefined)[] = [
  undefined,
  ['tick-1', 'tick-2', 'tick-3', 'example-flow'],
  ['tick-4', 'tick-5', 'flaky-flow', 'cleanup-flow'],
];

export interface WorkerSlot {
  name: string;
  flows: string[] | undefined;
  proc: Proc;
}

export interface Stack {
  topology: Topology;
  apis: ApiClient[];
  apiProcs: Proc[];
  workers: WorkerSlot[];
  logDir: string;
  /** Starts the worker of a slot again (after it was stopped) and waits until it is live. */
  restartWorker(slot: WorkerSlot): Promise<void>;
  /** Every service process, for the checks that they are still running and stop cleanly. */
  services(): Proc[];
}

/** The environment of a service: nothing inherited that could point it elsewhere. */
function baseEnv(topology: Topology, concurrency: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('REDIS_') || key.startsWith('FLOWDECK_') || key.startsWith('VITEST')) delete env[key];
  }
  if (env.NODE_ENV === 'test') delete env.NODE_ENV;
  const redis =
    topology.kind === 'cluster'
      ? { REDIS_CLUSTER_NODES: topology.seeds }
      : { REDIS_SENTINELS: topology.seeds, REDIS_SENTINEL_NAME: topology.masterName };
  return {
    ...env,
    ...redis,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    FLOWDECK_FLOWS: FLOWS_MODULE,
    FLOWDECK_EXAMPLES: 'on',
    FLOWDECK_HEARTBEAT_MS: '1000',
    // Every run of the test is counted afterwards: keep them all.
    FLOWDECK_RUN_RETENTION_COUNT: '10000000',
    // The load creates hundreds of schedules a minute; writes are still counted in Redis.
    FLOWDECK_WRITE_RATE_LIMIT: '1000000',
    WORKER_CONCURRENCY: String(concurrency),
    SHUTDOWN_GRACE_MS: '5000',
  };
}

export async function startStack(options: {
  topology: Topology;
  logDir: string;
  apiReplicas: number;
  concurrency: number;
  label: string;
}): Promise<Stack> {
  const env = baseEnv(options.topology, options.concurrency);
  const ports = await freePorts(options.apiReplicas);
  const apiProcs = ports.map((port, i) =>
    startService('api', {
      name: `${options.label}-api-${i + 1}`,
      env: { ...env, PORT: String(port) },
      logDir: options.logDir,
    }),
  );
  const apis = ports.map((port, i) => new ApiClient(`api-${i + 1}`, `http://127.0.0.1:${port}`));

  const spawnWorker = (name: string, flows: string[] | undefined) =>
    startService('worker', {
      name,
      env: { ...env, ...(flows ? { FLOWDECK_WORKER_FLOWS: flows.join(',') } : {}) },
      logDir: options.logDir,
    });
  const workers: WorkerSlot[] = WORKER_FLOWS.map((flows, i) => {
    const name = `${options.label}-worker-${i + 1}`;
    return { name, flows, proc: spawnWorker(name, flows) };
  });

  const services = () => [...apiProcs, ...workers.map((w) => w.proc)];
  const assertRunning = () => {
    for (const proc of services())
      if (!proc.alive) throw new Error(`${proc.name} exited while starting:\n${proc.lastLines()}`);
  };
  await waitFor(
    'both API replicas to answer /api/health with 200',
    async () => {
      assertRunning();
      const replies = await Promise.all(apis.map((api) => api.call('GET', '/api/health')));
      return replies.every((r) => r.status === 200) ? true : undefined;
    },
    90_000,
    250,
  );
  const waitLive = async (procs: Proc[]) => {
    await waitFor(
      `workers ${procs.map((p) => p.name).join(', ')} to publish their flows and a heartbeat`,
      async () => {
        for (const proc of procs)
          if (!proc.alive) throw new Error(`${proc.name} exited while starting:\n${proc.lastLines()}`);
        const flows = (await apis[0]!.get('/api/_flows')) as { workers: { pid: number; live: boolean }[] }[];
        const live = new Set(flows.flatMap((f) => f.workers.filter((w) => w.live).map((w) => w.pid)));
        return procs.every((p) => live.has(p.pid)) ? true : undefined;
      },
      90_000,
      250,
    );
  };
  await waitLive(workers.map((w) => w.proc));

  return {
    topology: options.topology,
    apis,
    apiProcs,
    workers,
    logDir: options.logDir,
    services,
    async restartWorker(slot) {
      if (slot.proc.alive) await slot.proc.stop();
      slot.proc = spawnWorker(slot.name, slot.flows);
      await waitLive([slot.proc]);
      await sleep(200);
    },
  };
}
