/**
 * Throughput: N runs of a 1-step no-op flow (engine.startFlow from 50 producers, an in-process
 * worker) against N raw no-op BullMQ jobs (queue.add from 50 producers, a raw Worker), at the same
 * worker concurrency, one after the other on one Redis. Rate = N / (last finish − first start),
 * with finish times read from the run records and the jobs afterwards, so nothing is polled
 * while measuring. Also counts the Redis commands each side issues per run or job.
 */
import { randomBytes } from 'node:crypto';
import { createEngine, defineFlow, startWorker } from '@flowdeck/engine';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { commandStats, diffStats, inParallel, removeKeys, sleep } from './lib.ts';

async function redisCpu(client: Redis) {
  const info = await client.info('cpu');
  return Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1]) + Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1]);
}

export interface ThroughputResult {
  runs: number;
  concurrency: number;
  /** Medians of the rounds. */
  flowdeckPerSec: number;
  rawPerSec: number;
  flowdeckRounds: number[];
  rawRounds: number[];
  /** CPU time per run / per job, in Redis and in this process (producers and worker). */
  flowdeckCpu: { redisMs: number; nodeMs: number };
  rawCpu: { redisMs: number; nodeMs: number };
  /** Commands per run / per job, by command (Lua internals included). */
  flowdeckCommands: [string, number][];
  rawCommands: [string, number][];
}

let handled = 0;
const noopFlow = defineFlow({
  name: 'noop-flow',
  description: 'one no-op step',
  steps: {
    noop: {
      handler: () => {
        handled++;
        return null;
      },
    },
  },
});

async function waitFor(condition: () => boolean | Promise<boolean>) {
  while (!(await condition())) await sleep(50);
}

/** Finish times of every run or job; waits for stragglers (after the command counts were taken). */
async function finishTimes(client: Redis, keys: string[], field: string) {
  for (;;) {
    const pipeline = client.pipeline();
    for (const key of keys) pipeline.hget(key, field);
    const times = ((await pipeline.exec()) ?? []).map(([, v]) => Number(v ?? Number.NaN));
    if (times.every(Number.isFinite)) return times;
    await sleep(100);
  }
}

async function flowdeck(url: string, client: Redis, runs: number, concurrency: number) {
  const settings = {
    redisUrl: url,
    prefix: `b${randomBytes(3).toString('hex')}`,
    retention: { maxRuns: runs * 2, maxAgeMs: 86_400_000 },
    heartbeatMs: 5000,
  };
  const worker = await startWorker({ ...settings, flows: [noopFlow], concurrency, shutdownGraceMs: 5000 });
  const engine = createEngine(settings);
  await engine.startFlow('noop-flow', {}, { trigger: { type: 'api' } }); // warm the scripts
  await sleep(500);
  handled = 0;
  const before = await commandStats(client);
  const cpu0 = [await redisCpu(client), process.cpuUsage()] as const;
  const t0 = Date.now();
  const ids: string[] = [];
  await inParallel(runs, 50, async () => {
    ids.push((await engine.startFlow('noop-flow', {}, { trigger: { type: 'api' } })).runId);
  });
  await waitFor(() => handled >= runs);
  const cpu = { redis: (await redisCpu(client)) - cpu0[0], node: process.cpuUsage(cpu0[1]) };
  await sleep(300); // the last completions land
  const after = await commandStats(client);
  const finished = await finishTimes(
    client,
    ids.map((id) => `{${settings.prefix}:noop-flow}:run:${id}`),
    'finishedAt',
  );
  await worker.close();
  await engine.close();
  await removeKeys(client, settings.prefix);
  return {
    perSec: runs / ((Math.max(...finished) - t0) / 1000),
    commands: diffStats(before, after, runs),
    cpu: { redisMs: (cpu.redis * 1000) / runs, nodeMs: (cpu.node.user + cpu.node.system) / 1000 / runs },
  };
}

async function raw(url: string, client: Redis, jobs: number, concurrency: number) {
  const prefix = `braw${randomBytes(3).toString('hex')}`;
  const queue = new Queue('raw', { connection: { url }, prefix });
  let done = 0;
  const worker = new Worker(
    'raw',
    async () => {
      done++;
      return null;
    },
    { connection: { url }, prefix, concurrency },
  );
  await queue.add('noop', {});
  await sleep(500);
  done = 0;
  const before = await commandStats(client);
  const cpu0 = [await redisCpu(client), process.cpuUsage()] as const;
  const t0 = Date.now();
  const ids: string[] = [];
  await inParallel(jobs, 50, async () => {
    ids.push((await queue.add('noop', {})).id!);
  });
  await waitFor(() => done >= jobs);
  const cpu = { redis: (await redisCpu(client)) - cpu0[0], node: process.cpuUsage(cpu0[1]) };
  await sleep(300);
  const after = await commandStats(client);
  const finished = await finishTimes(
    client,
    ids.map((id) => `${prefix}:raw:${id}`),
    'finishedOn',
  );
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return {
    perSec: jobs / ((Math.max(...finished) - t0) / 1000),
    commands: diffStats(before, after, jobs),
    cpu: { redisMs: (cpu.redis * 1000) / jobs, nodeMs: (cpu.node.user + cpu.node.system) / 1000 / jobs },
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * `rounds` alternating rounds of raw BullMQ then Flowdeck, each on fresh keys; the figures are
 * the medians, so a burst of load from elsewhere on the machine skews one round, not the result.
 */
export async function throughput(url: string, client: Redis, runs: number, concurrency: number, rounds = 3) {
  const rawRounds: Awaited<ReturnType<typeof raw>>[] = [];
  const ourRounds: Awaited<ReturnType<typeof flowdeck>>[] = [];
  for (let i = 0; i < rounds; i++) {
    rawRounds.push(await raw(url, client, runs, concurrency));
    ourRounds.push(await flowdeck(url, client, runs, concurrency));
  }
  const drop = (rows: [string, number][]) => rows.filter(([name]) => name !== 'ping');
  const result: ThroughputResult = {
    runs,
    concurrency,
    flowdeckPerSec: median(ourRounds.map((r) => r.perSec)),
    rawPerSec: median(rawRounds.map((r) => r.perSec)),
    flowdeckRounds: ourRounds.map((r) => r.perSec),
    rawRounds: rawRounds.map((r) => r.perSec),
    flowdeckCpu: {
      redisMs: median(ourRounds.map((r) => r.cpu.redisMs)),
      nodeMs: median(ourRounds.map((r) => r.cpu.nodeMs)),
    },
    rawCpu: {
      redisMs: median(rawRounds.map((r) => r.cpu.redisMs)),
      nodeMs: median(rawRounds.map((r) => r.cpu.nodeMs)),
    },
    flowdeckCommands: drop(ourRounds.at(-1)!.commands),
    rawCommands: drop(rawRounds.at(-1)!.commands),
  };
  return result;
}
