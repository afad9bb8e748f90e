/**
 * Fire lag of N schedules firing every second, Flowdeck beside raw BullMQ, in one run on
 * one Redis. Flowdeck's lag is "run created by startFlow − planned fire time" (marker job
 * → schedule lookup → startFlow); raw BullMQ's is "no-op processor called − planned fire
 * time" for job schedulers with the same pattern. Run: `npm run bench` (a private
 * redis-server with hz 100 unless REDIS_URL is set). Env: BENCH_SCHEDULES (200),
 * BENCH_SECONDS (15), BENCH_CONCURRENCY (a comma list of worker concurrencies; "50,100").
 * Each concurrency is measured for both sides, with the same setting on both.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, defineFlow, startWorker } from '@flowdeck/engine';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
// @ts-expect-error: a plain .mjs helper without types, shared with npm start
import { startRedis } from '../scripts/lib/redis.mjs';
import { type LagSummary, summarise } from './stats.ts';

const N = Number(process.env.BENCH_SCHEDULES ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CONCURRENCIES = (process.env.BENCH_CONCURRENCY ?? '50,100').split(',').map(Number);
const PATTERN = '* * * * * *';
const WARMUP_MS = 2000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The measured window: whole seconds after a warm-up, ending before the schedules stop. */
function windowFrom(start: number): [number, number] {
  const first = Math.ceil((start + WARMUP_MS) / 1000) * 1000;
  return [first, first + SECONDS * 1000];
}

async function rawBullmq(url: string, concurrency: number): Promise<LagSummary> {
  const prefix = `bench-raw-${randomBytes(3).toString('hex')}`;
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  const queue = new Queue('raw', { connection, prefix });
  const fires: [string, number, number][] = [];
  const worker = new Worker(
    'raw',
    async (job) => {
      const match = /^repeat:(.+):(\d+)$/.exec(job.id ?? '');
      if (match) fires.push([match[1]!, Number(match[2]), Date.now()]);
    },
    { connection, prefix, concurrency },
  );
  const keys = Array.from({ length: N }, (_, i) => `s${i}`);
  const start = Date.now();
  await Promise.all(
    keys.map((key) => queue.upsertJobScheduler(key, { pattern: PATTERN }, { name: 'tick', data: {} })),
  );
  const window = windowFrom(start);
  await sleep(window[1] - Date.now() + 1500);
  await Promise.all(keys.map((key) => queue.removeJobScheduler(key)));
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await connection.quit();
  return summarise(fires, keys, window);
}

async function flowdeck(url: string, concurrency: number): Promise<LagSummary> {
  const settings = {
    redisUrl: url,
    prefix: `bench${randomBytes(3).toString('hex')}`,
    retention: { maxRuns: 100_000, maxAgeMs: 86_400_000 },
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
  const window = windowFrom(start);
  await sleep(window[1] - Date.now() + 1500);
  await Promise.all(ids.map((id) => engine.schedules.pause('bench-flow', id)));
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
  return summarise(fires, ids, window);
}

async function redisInfo(url: string) {
  const client = new Redis(url);
  const info = await client.info('server');
  const hz = (await client.config('GET', 'hz')) as string[];
  const aof = (await client.config('GET', 'appendonly')) as string[];
  await client.quit();
  return { version: /redis_version:(\S+)/.exec(info)?.[1] ?? '?', hz: hz[1], appendonly: aof[1] };
}

function report(concurrency: number, ours: LagSummary, raw: LagSummary): string {
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
  const target = ours.p99 <= raw.p99 + 25 ? 'met' : 'not met';
  return `## Worker concurrency ${concurrency}\n\n${table.join('\n')}\n\nTarget (Flowdeck p99 ≤ raw BullMQ p99 + 25 ms): ${target}. Missed: ${ours.missed}, duplicates: ${ours.duplicates}.`;
}

const fmt = (n: number) => (Number.isFinite(n) ? `${Math.round(n)} ms` : '-');

async function main() {
  const own = process.env.REDIS_URL
    ? null
    : await startRedis({ dataDir: join(tmpdir(), `flowdeck-bench-${process.pid}`) });
  const url = process.env.REDIS_URL ?? own.url;
  try {
    const info = await redisInfo(url);
    const setup = `${N} schedules × every second × ${SECONDS} s · ${cpus().length} cores (${cpus()[0]?.model ?? '?'}) · Redis ${info.version}, hz ${info.hz}, appendonly ${info.appendonly}`;
    console.log(setup);
    const sections: string[] = [];
    let failed = false;
    for (const concurrency of CONCURRENCIES) {
      const raw = await rawBullmq(url, concurrency);
      const ours = await flowdeck(url, concurrency);
      const section = report(concurrency, ours, raw);
      console.log(`\n${section}`);
      sections.push(section);
      failed ||= ours.missed > 0 || ours.duplicates > 0;
    }
    const header = `# Benchmark: schedule fire lag\n\n${new Date().toISOString()} · ${setup}\n\nRerun: \`npm run bench\`. Lag is "run created by startFlow − planned fire time" for Flowdeck and "no-op processor called − planned fire time" for raw BullMQ job schedulers with the same pattern, measured one after the other on the same Redis.\n\n`;
    writeFileSync(new URL('RESULTS.md', import.meta.url), `${header}${sections.join('\n\n')}\n`);
    if (failed) process.exitCode = 1;
  } finally {
    await own?.stop();
  }
}

await main();
