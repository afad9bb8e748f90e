/**
 * Fire lag of N schedules firing every second, Flowdeck beside raw BullMQ, in one run on
 * one Redis. Flowdeck's lag is "run created by startFlow − planned fire time" (marker job
 * → schedule lookup → startFlow); raw BullMQ's is "no-op processor called − planned fire
 * time" for job schedulers with the same pattern. `npm run bench` runs it as part of every
 * benchmark (bench/index.ts); `pnpm --filter @flowdeck/bench lag` runs it alone (a private
 * redis-server with hz 100 unless REDIS_URL is set). Env: BENCH_SCHEDULES (200),
 * BENCH_SECONDS (15), BENCH_CONCURRENCY (a comma list of worker concurrencies; "50,100").
 * Each concurrency is measured for both sides, with the same setting on both.
 */
import { randomBytes } from 'node:crypto';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createEngine, defineFlow, startWorker } from '@flowdeck/engine';
import { decodeOccurrence } from '@flowdeck/engine/internal';
import { type Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
// @ts-expect-error: a plain .mjs helper without types, shared with npm start
import { startRedis } from '../scripts/lib/redis.mjs';
import { benchScript, removeKeys } from './lib.ts';
import { type LagRun, type LagSummary, summarise } from './stats.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const PATTERN = '* * * * * *';
const WARMUP_MS = 2000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The measured window: whole seconds after a warm-up, ending before the schedules stop. */
function windowFrom(start: number, seconds: number): [number, number] {
  const first = Math.ceil((start + WARMUP_MS) / 1000) * 1000;
  return [first, first + seconds * 1000];
}

/** The least a durable record of each scheduled run takes: a script when it starts, one when it ends. */
const RUN_STARTED = benchScript('run-started');
const RUN_ENDED = benchScript('run-ended');

type RunRecorder = ReturnType<typeof runRecorder>;

/** Writes run records as RUN_STARTED and RUN_ENDED do, on a connection of its own opened on first use. */
function runRecorder(url: string, prefix: string) {
  let connection: Redis | undefined;
  const commands = () => {
    if (!connection) {
      connection = new Redis(url, { maxRetriesPerRequest: null });
      connection.defineCommand('runStarted', { numberOfKeys: 2, lua: RUN_STARTED });
      connection.defineCommand('runEnded', { numberOfKeys: 1, lua: RUN_ENDED });
    }
    return connection as unknown as {
      runStarted(run: string, index: string, ...args: (string | number)[]): Promise<number>;
      runEnded(run: string, now: number): Promise<number>;
    };
  };
  let runs = 0;
  return {
    /** A run of `scheduleId`'s fire planned at `planned`, started at `now`: recorded, then ended. */
    async record(scheduleId: string, planned: number, now: number) {
      const id = `${now}-${runs++}`;
      const run = `{${prefix}}:run:${id}`;
      await commands().runStarted(run, `{${prefix}}:runs`, scheduleId, planned, now, id);
      void commands().runEnded(run, Date.now());
    },
    close: async () => void (await connection?.quit()),
  };
}

/**
 * Raw BullMQ job schedulers `ids`, firing every second on a queue of their own, whose jobs go to
 * `processor` (with a run recorder for the queue's prefix); once the measured window and a
 * moment for stragglers have passed, everything is removed. Returns the window.
 */
async function runSchedulers(
  url: string,
  ids: string[],
  concurrency: number,
  seconds: number,
  options: { removeOnComplete: boolean },
  processor: (job: Job, recorder: RunRecorder) => Promise<void>,
): Promise<[number, number]> {
  const prefix = `bench-raw-${randomBytes(3).toString('hex')}`;
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  const recorder = runRecorder(url, prefix);
  const queue = new Queue('raw', { connection, prefix });
  const worker = new Worker('raw', (job) => processor(job, recorder), { connection, prefix, concurrency });
  const template = {
    name: 'tick',
    data: {},
    opts: options.removeOnComplete ? { removeOnComplete: true } : {},
  };
  const start = Date.now();
  await Promise.all(ids.map((id) => queue.upsertJobScheduler(id, { pattern: PATTERN }, template)));
  const window = windowFrom(start, seconds);
  await sleep(window[1] - Date.now() + 1500);
  await Promise.all(ids.map((id) => queue.removeJobScheduler(id)));
  await worker.close();
  await queue.obliterate({ force: true });
  await removeKeys(connection, prefix);
  await Promise.all([queue.close(), recorder.close()]);
  await connection.quit();
  return window;
}

/** A job scheduler's fire: its scheduler id and planned time, from the job id. */
const fireOf = (job: Job) => {
  const match = /^repeat:(.+):(\d+)$/.exec(job.id ?? '');
  return match ? { id: match[1]!, planned: Number(match[2]) } : undefined;
};

/**
 * Raw BullMQ job schedulers with a no-op processor. With `recordRuns`, the floor under any
 * scheduler that records its runs in Redis: the processor also writes RUN_STARTED and RUN_ENDED,
 * and each job is deleted once done (as Flowdeck deletes its markers), with nothing else of
 * Flowdeck's (no occurrences, events, checks or steps).
 */
export async function rawBullmq(
  url: string,
  N: number,
  concurrency: number,
  seconds = SECONDS,
  { recordRuns = false } = {},
): Promise<LagSummary> {
  return summarise(await rawBullmqFires(url, N, concurrency, seconds, { recordRuns }));
}

/** rawBullmq's fires, not yet summarised. */
export async function rawBullmqFires(
  url: string,
  N: number,
  concurrency: number,
  seconds = SECONDS,
  { recordRuns = false } = {},
): Promise<LagRun> {
  const keys = Array.from({ length: N }, (_, i) => `s${i}`);
  const fires: [string, number, number][] = [];
  const window = await runSchedulers(
    url,
    keys,
    concurrency,
    seconds,
    { removeOnComplete: recordRuns },
    async (job, recorder) => {
      const fire = fireOf(job);
      const now = Date.now();
      if (!fire) return;
      fires.push([fire.id, fire.planned, now]);
      if (recordRuns) await recorder.record(fire.id, fire.planned, now);
    },
  );
  return { fires, keys, window };
}

/**
 * The other shape: one job scheduler for all N schedules, which share a timing, whose job records
 * a run for each of them as the floor does, `concurrency` at a time. BullMQ's work per fire
 * (promote, fetch, plan the next, finish) is then paid once per burst instead of once per
 * schedule. Flowdeck does not work this way (a marker job per schedule); this measures what
 * changing that would buy.
 */
export async function sharedScheduler(
  url: string,
  N: number,
  concurrency: number,
  seconds = SECONDS,
): Promise<LagSummary> {
  const keys = Array.from({ length: N }, (_, i) => `s${i}`);
  const fires: [string, number, number][] = [];
  const window = await runSchedulers(
    url,
    ['shared'],
    concurrency,
    seconds,
    { removeOnComplete: true },
    async (job, recorder) => {
      const fire = fireOf(job);
      if (!fire) return;
      let next = 0;
      const lane = async () => {
        while (next < keys.length) {
          const key = keys[next++]!;
          const now = Date.now();
          fires.push([key, fire.planned, now]);
          await recorder.record(key, fire.planned, now);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, lane));
    },
  );
  return summarise({ fires, keys, window });
}

export async function flowdeck(
  url: string,
  N: number,
  concurrency: number,
  seconds = SECONDS,
): Promise<LagSummary> {
  return summarise(await flowdeckFires(url, N, concurrency, seconds));
}

/** A Flowdeck lag run: its fires, and the ledger's outcome of every planned fire in the window. */
export interface FlowdeckLagRun extends LagRun {
  /** Occurrences in the window by outcome (`started`, `missed-overload`, …). */
  outcomes: Record<string, number>;
  /** Planned fires in the window with no occurrence after the wait. */
  unaccounted: number;
}

/** flowdeck's fires, not yet summarised, with what the ledger recorded for each planned fire. */
export async function flowdeckFires(
  url: string,
  N: number,
  concurrency: number,
  seconds = SECONDS,
): Promise<FlowdeckLagRun> {
  const settings = {
    redisUrl: url,
    prefix: `bench${randomBytes(3).toString('hex')}`,
    retention: { maxRuns: 10_000_000, maxAgeMs: 86_400_000 },
    heartbeatMs: 5000,
  };
  const flow = defineFlow({
    name: 'bench-flow',
    description: 'one no-op step',
    steps: { noop: { handler: () => null } },
  });
  const worker = await startWorker({
    ...settings,
    flows: [flow],
    concurrency,
    shutdownGraceMs: 5000,
  });
  const engine = createEngine(settings);
  const start = Date.now();
  const ids = await Promise.all(
    Array.from(
      { length: N },
      async () => (await engine.schedules.create('bench-flow', { cron: PATTERN })).schedule.id,
    ),
  );
  const window = windowFrom(start, seconds);
  await sleep(window[1] - Date.now() + 1500);
  // Fires still queued when the window ends are late, not missed, and fires BullMQ skipped while
  // behind are recovered by later ones: the schedules go on firing until every planned fire of
  // the window has its occurrence (up to two minutes). Removing the job schedulers instead would
  // also remove their pending fires.
  const planned = ids.length * seconds;
  const deadline = Date.now() + 120_000;
  const client = new Redis(url);
  const index = (id: string) => `{${settings.prefix}:bench-flow}:occurrence-index:${id}`;
  while (Date.now() < deadline) {
    const pipeline = client.pipeline();
    for (const id of ids) pipeline.zcount(index(id), window[0], window[1] - 1);
    const counts = ((await pipeline.exec()) ?? []).map(([, n]) => Number(n));
    if (counts.reduce((a, b) => a + b, 0) >= planned) break;
    await sleep(1000);
  }
  const outcomes: Record<string, number> = {};
  let recorded = 0;
  for (let i = 0; i < ids.length; i += 500) {
    const pipeline = client.pipeline();
    for (const id of ids.slice(i, i + 500)) pipeline.zrangebyscore(index(id), window[0], window[1] - 1);
    for (const [, members] of (await pipeline.exec()) ?? []) {
      for (const member of members as string[]) {
        const outcome = decodeOccurrence(member)?.outcome ?? 'unreadable';
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        recorded++;
      }
    }
  }
  const fires: [string, number, number][] = [];
  for (let cursor: string | undefined; ; ) {
    const page = await engine.runs.list('bench-flow', { limit: 200, cursor });
    for (const run of page.items)
      fires.push([run.trigger.scheduleId!, run.trigger.scheduledFor!, run.createdAt]);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  await Promise.all(ids.map((id) => engine.schedules.remove('bench-flow', id)));
  await worker.close();
  await engine.close();
  await removeKeys(client, settings.prefix);
  await client.quit();
  return { fires, keys: ids, window, outcomes, unaccounted: planned - recorded };
}

export function lagTable(ours: LagSummary, raw: LagSummary): string {
  const rows = [
    ['', 'Flowdeck (fire → run started)', 'raw BullMQ (fire → no-op job)', 'difference / ratio'],
    ['fires measured', String(ours.fires), String(raw.fires), ''],
    ...(['p50', 'p95', 'p99', 'max'] as const).map((p) => [
      `${p} lag`,
      fmt(ours[p]),
      fmt(raw[p]),
      `${ours[p] >= raw[p] ? '+' : '−'}${Math.abs(Math.round(ours[p] - raw[p]))} ms / ${(ours[p] / Math.max(raw[p], 1)).toFixed(2)}×`,
    ]),
    ['missed fires', String(ours.missed), String(raw.missed), ''],
    ['duplicate fires', String(ours.duplicates), String(raw.duplicates), ''],
  ];
  const table = rows.map((r) => `| ${r.join(' | ')} |`);
  table.splice(1, 0, `|${' --- |'.repeat(4)}`);
  return table.join('\n');
}

/**
 * The lag targets, by size: at 200 schedules p99 within raw's + 25 ms or 1.25× raw's; at larger
 * sizes the machine can still fire (1,000) within 1.3× raw's and under the floor's p99 when the
 * floor was measured beside it. Every size: nothing missed, nothing doubled.
 */
export function lagTargetMet(n: number, ours: LagSummary, raw: LagSummary, floor?: LagSummary) {
  const clean = ours.missed === 0 && ours.duplicates === 0;
  if (n <= 200) return clean && (ours.p99 <= raw.p99 + 25 || ours.p99 <= 1.25 * raw.p99);
  return clean && ours.p99 <= 1.3 * raw.p99 && (floor === undefined || ours.p99 < floor.p99);
}

/** lagTargetMet in words. */
export const lagTargetText = (n: number) =>
  n <= 200
    ? 'p99 ≤ raw p99 + 25 ms or ≤ 1.25 × raw p99, 0 missed, 0 duplicates'
    : "p99 ≤ 1.3 × raw p99 and under the floor's p99, 0 missed, 0 duplicates";

const fmt = (n: number) => (Number.isFinite(n) ? `${Math.round(n)} ms` : '-');

async function main() {
  const counts = (process.env.BENCH_SCHEDULES ?? '200').split(',').map(Number);
  const concurrencies = (process.env.BENCH_CONCURRENCY ?? '50,100').split(',').map(Number);
  const own = process.env.REDIS_URL
    ? null
    : await startRedis({ dataDir: join(tmpdir(), `flowdeck-bench-${process.pid}`) });
  const url = process.env.REDIS_URL ?? own.url;
  try {
    console.log(`every second × ${SECONDS} s · ${cpus().length} cores (${cpus()[0]?.model ?? '?'})`);
    for (const n of counts) {
      for (const concurrency of concurrencies) {
        const raw = await rawBullmq(url, n, concurrency);
        const ours = await flowdeck(url, n, concurrency);
        console.log(`\n## ${n} schedules, worker concurrency ${concurrency}\n\n${lagTable(ours, raw)}`);
        const met = lagTargetMet(n, ours, raw);
        console.log(`\nTarget (${lagTargetText(n)}): ${met ? 'met' : 'not met'}.`);
        if (ours.missed > 0 || ours.duplicates > 0) process.exitCode = 1;
      }
    }
  } finally {
    await own?.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
