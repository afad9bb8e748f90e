/**
 * The API under load, beside raw BullMQ on the same Redis:
 * - create-schedule throughput with 50 requests in flight (POST /schedule through the real API
 *   process) against job scheduler upserts with 50 in flight;
 * - memory per schedule, per stored run and per fire a schedule's history keeps, from Redis's
 *   used_memory before and after;
 * - GET schedules (one flow's and every flow's) and GET runs latency (p50/p95, one request at a time, through the real API)
 *   with many schedules and runs stored, against reading a page of job schedulers or
 *   completed jobs straight from BullMQ (no HTTP).
 * The stored schedules are created through the engine (real records and job schedulers); the
 * stored runs are copies of a real run's record written by a Lua loop, since only reads are
 * measured on them.
 */
import { randomBytes } from 'node:crypto';
import { createEngine, defineFlow, startWorker } from '@flowdeck/engine';
import { createEngineParts, createScheduleStore } from '@flowdeck/engine/internal';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { benchScript, httpRequest, inParallel, pct, sleep, spawnService, usedMemory } from './lib.ts';

const FLOW = 'bench-flow';
const YEARLY = '0 0 1 1 *';

export interface Latency {
  p50: number;
  p95: number;
}

export interface ApiResult {
  creates: number;
  /** Through the API process; through the engine in this process; raw upserts. */
  createPerSec: { flowdeck: number; engine: number; raw: number };
  createLatency: { flowdeck: Latency; raw: Latency };
  memoryPerSchedule: { flowdeck: number; raw: number };
  memoryPerRun: { flowdeck: number; raw: number };
  /** Per fire a schedule's history keeps (1,000 by default); raw BullMQ keeps no history. */
  memoryPerRecordedFire: number;
  storedSchedules: number;
  storedRuns: number;
  listSchedules: { flowdeck: Latency; raw: Latency; page: number; bytes: number };
  /** GET /api/_flows/schedules?limit=50, against the same page of job schedulers. */
  listAllSchedules: { flowdeck: Latency; raw: Latency; page: number };
  listRuns: { flowdeck: Latency; raw: Latency; page: number };
}

const benchFlow = defineFlow({
  name: FLOW,
  description: 'one no-op step',
  steps: { noop: { handler: () => null } },
});

const step = (what: string) => process.env.BENCH_VERBOSE && console.log(`[api bench] ${what}`);

const latency = (sorted: number[]): Latency => ({ p50: pct(sorted, 50), p95: pct(sorted, 95) });

/** A read that did not answer 200 would time an error page: the run stops instead. */
function ok(response: { status: number; body: Buffer }) {
  if (response.status !== 200)
    throw new Error(`read answered ${response.status}: ${response.body.toString()}`);
  return response;
}

/**
 * Waits until Redis is not rewriting its append-only file or saving a snapshot: seeding a million
 * runs sets off a rewrite of the whole dataset, whose fork shares the two cores with the reads.
 */
async function settled(client: Redis) {
  const busy = /(aof_rewrite_in_progress|aof_rewrite_scheduled|rdb_bgsave_in_progress):1/;
  while (busy.test(await client.info('persistence'))) await sleep(500);
}

/** Times `reads` sequential calls after a few warm-up calls. */
async function timeReads(reads: number, call: () => Promise<unknown>) {
  for (let i = 0; i < 5; i++) await call();
  const times: number[] = [];
  for (let i = 0; i < reads; i++) {
    const t0 = performance.now();
    await call();
    times.push(performance.now() - t0);
  }
  return latency(times.sort((a, b) => a - b));
}

/** Copies of a stored run's record, and of a completed raw job, written in bulk (see bench/lua). */
const SEED_RUNS = benchScript('seed-runs');
const SEED_JOBS = benchScript('seed-jobs');

/** Run ids as the engine makes them: base-36 millis, then random base-36 characters. */
function runId(time: number): string {
  const random = BigInt(`0x${randomBytes(8).toString('hex')}`)
    .toString(36)
    .padStart(13, '0')
    .slice(0, 10);
  return `${time.toString(36).padStart(9, '0')}${random}`;
}

async function seed(
  client: Redis,
  script: string,
  key: string,
  prefix: string,
  template: Record<string, string>,
  count: number,
  id: (i: number, time: number) => string,
) {
  const pairs = Object.entries(template).flat();
  const start = Date.now() - count;
  const batch = 2000;
  for (let done = 0; done < count; done += batch) {
    const args: string[] = [prefix, String(pairs.length / 2), ...pairs];
    for (let i = done; i < Math.min(count, done + batch); i++) args.push(id(i, start + i), String(start + i));
    await client.eval(script, 1, key, ...args);
  }
}

export async function apiBench(
  url: string,
  client: Redis,
  sizes: { creates: number; schedules: number; runs: number; reads: number },
): Promise<ApiResult> {
  const prefix = `a${randomBytes(3).toString('hex')}`;
  const settings = {
    redisUrl: url,
    prefix,
    retention: { maxRuns: 10_000_000, maxAgeMs: 365 * 86_400_000 },
    heartbeatMs: 5000,
  };
  // A worker publishes the flow, so the API knows it, and runs the runs whose memory is measured.
  const worker = await startWorker({
    ...settings,
    flows: [benchFlow],
    concurrency: 50,
    shutdownGraceMs: 5000,
  });
  const engine = createEngine(settings);
  // The per-token write limit would throttle the create benchmark; everything else is as shipped.
  const api = await spawnService(
    'api',
    { REDIS_URL: url, FLOWDECK_PREFIX: prefix, FLOWDECK_WRITE_RATE_LIMIT: '0', LOG_LEVEL: 'info' },
    /"msg":"api listening"/,
  );
  const base = `${api.baseUrl}/api/_flows/${FLOW}`;
  const rawQueue = new Queue('raw', { connection: { url }, prefix: `r${prefix}` });
  try {
    // Create-schedule throughput and memory per schedule.
    const post = () =>
      httpRequest(`${base}/schedule`, { method: 'POST', json: { cron: YEARLY } }).then((r) => {
        if (r.status !== 201) throw new Error(`create answered ${r.status}: ${r.body.toString()}`);
      });
    step('spawned API; creating schedules');
    await inParallel(50, 50, post); // warm up
    let before = await usedMemory(client);
    const ours = await inParallel(sizes.creates, 50, post);
    const memoryPerSchedule = ((await usedMemory(client)) - before) / sizes.creates;
    // The same creates through the engine in this process, to tell the HTTP layer's share.
    const direct = await inParallel(sizes.creates, 50, () => engine.schedules.create(FLOW, { cron: YEARLY }));
    await rawQueue.upsertJobScheduler('warm', { pattern: YEARLY }, { name: 'tick', data: {} });
    before = await usedMemory(client);
    const raw = await inParallel(sizes.creates, 50, (i) =>
      rawQueue.upsertJobScheduler(`s${i}`, { pattern: YEARLY }, { name: 'tick', data: {} }),
    );
    const rawMemoryPerSchedule = ((await usedMemory(client)) - before) / sizes.creates;

    step('creates done');
    // Memory per stored run: real runs of the 1-step flow, against completed raw jobs kept.
    const sample = 2000;
    await sleep(500);
    before = await usedMemory(client);
    await inParallel(sample, 50, () => engine.startFlow(FLOW, {}, { trigger: { type: 'api' } }));
    const flowQueue = new Queue(FLOW, { connection: { url }, prefix: `{${prefix}:${FLOW}}` });
    while ((await flowQueue.getJobCountByTypes('waiting', 'active', 'prioritized')) > 0) await sleep(50);
    await flowQueue.close();
    await sleep(500);
    const memoryPerRun = ((await usedMemory(client)) - before) / sample;
    step('flowdeck runs done');
    let done = 0;
    const rawWorker = new Worker(
      'raw-runs',
      async () => {
        done++;
        return null;
      },
      { connection: { url }, prefix: `r${prefix}`, concurrency: 50 },
    );
    const runQueue = new Queue('raw-runs', { connection: { url }, prefix: `r${prefix}` });
    before = await usedMemory(client);
    await inParallel(sample, 50, () => runQueue.add('noop', {}));
    while (done < sample) await sleep(50);
    await sleep(1000);
    const rawMemoryPerRun = ((await usedMemory(client)) - before) / sample;
    await rawWorker.close();

    step('raw runs done');
    const memoryPerRecordedFire = await historyMemory(settings, client);
    step('history recorded');
    // Stored schedules up to the size asked, through the engine; raw schedulers alike.
    const have = sizes.creates * 2 + 50;
    await inParallel(Math.max(0, sizes.schedules - have), 50, () =>
      engine.schedules.create(FLOW, { cron: YEARLY }),
    );
    await inParallel(Math.max(0, sizes.schedules - sizes.creates - 1), 50, (i) =>
      rawQueue.upsertJobScheduler(`t${i}`, { pattern: YEARLY }, { name: 'tick', data: {} }),
    );

    step('schedules stored');
    // Stored runs: copies of a real completed run; raw: copies of a real completed job.
    const [example] = (await engine.runs.list(FLOW, { limit: 1, status: 'completed' })).items;
    const template = await client.hgetall(`{${prefix}:${FLOW}}:run:${example!.id}`);
    await seed(
      client,
      SEED_RUNS,
      `{${prefix}:${FLOW}}:runs`,
      `{${prefix}:${FLOW}}:run:`,
      template,
      sizes.runs - sample,
      runId,
    );
    const [rawExample] = await runQueue.getJobs(['completed'], 0, 0);
    const jobTemplate = await client.hgetall(`r${prefix}:raw-runs:${rawExample!.id}`);
    await seed(
      client,
      SEED_JOBS,
      `r${prefix}:raw-runs:completed`,
      `r${prefix}:raw-runs:`,
      jobTemplate,
      sizes.runs - sample,
      (i) => `seed${i}`,
    );

    step('runs seeded');
    await settled(client);
    // Reads, one at a time.
    let bytes = 0;
    const listSchedules = await timeReads(sizes.reads, async () => {
      bytes = ok(await httpRequest(`${base}/schedules?limit=50`)).body.byteLength;
    });
    const listAllSchedules = await timeReads(sizes.reads, async () => {
      ok(await httpRequest(`${api.baseUrl}/api/_flows/schedules?limit=50`));
    });
    const rawListSchedules = await timeReads(sizes.reads, () => rawQueue.getJobSchedulers(0, 49, true));
    const listRuns = await timeReads(sizes.reads, async () => {
      ok(await httpRequest(`${base}/runs?limit=50`));
    });
    const rawListRuns = await timeReads(sizes.reads, () => runQueue.getJobs(['completed'], 0, 49));
    await runQueue.close();

    return {
      creates: sizes.creates,
      createPerSec: {
        flowdeck: sizes.creates / (ours.ms / 1000),
        engine: sizes.creates / (direct.ms / 1000),
        raw: sizes.creates / (raw.ms / 1000),
      },
      createLatency: { flowdeck: latency(ours.latencies), raw: latency(raw.latencies) },
      memoryPerSchedule: { flowdeck: memoryPerSchedule, raw: rawMemoryPerSchedule },
      memoryPerRun: { flowdeck: memoryPerRun, raw: rawMemoryPerRun },
      memoryPerRecordedFire,
      storedSchedules: await client.hlen(`{${prefix}:${FLOW}}:schedules`),
      storedRuns: await client.zcard(`{${prefix}:${FLOW}}:runs`),
      listSchedules: { flowdeck: listSchedules, raw: rawListSchedules, page: 50, bytes },
      listAllSchedules: { flowdeck: listAllSchedules, raw: rawListSchedules, page: 50 },
      listRuns: { flowdeck: listRuns, raw: rawListRuns, page: 50 },
    };
  } finally {
    await rawQueue.close();
    await api.stop();
    await worker.close();
    await engine.close();
  }
}

/**
 * Redis memory per fire kept in a schedule's history: 20 schedules' full histories (1,000 started
 * fires each, a second apart) recorded the way a fire records them.
 */
async function historyMemory(settings: Parameters<typeof createEngineParts>[0], client: Redis) {
  const parts = createEngineParts(settings);
  const store = createScheduleStore(parts.ctx);
  const schedules = 20;
  const fires = schedules * 1000;
  const start = Date.now();
  try {
    // A fire is recorded only while its schedule exists.
    for (let i = 0; i < schedules; i++)
      await parts.ctx.redis.hset(parts.ctx.keys.schedules(FLOW), `sch_history${i}`, '{}');
    const before = await usedMemory(client);
    await inParallel(fires, 50, async (i) => {
      const scheduledFor = start + Math.floor(i / schedules) * 1000;
      await store.recordOccurrence(FLOW, `sch_history${i % schedules}`, {
        scheduledFor,
        firedAt: scheduledFor + 40,
        outcome: 'started',
        runId: runId(scheduledFor),
      });
    });
    return ((await usedMemory(client)) - before) / fires;
  } finally {
    // The stand-in records are no schedules: the lists read later must not meet them.
    const ids = Array.from({ length: schedules }, (_, i) => `sch_history${i}`);
    await parts.ctx.redis.hdel(parts.ctx.keys.schedules(FLOW), ...ids);
    await parts.ctx.redis.quit();
  }
}
