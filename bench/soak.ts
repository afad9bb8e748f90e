/**
 * `npm run soak`: many schedules firing for minutes against real worker and API processes on a
 * private redis-server (append-only file on), printing every SOAK_SAMPLE_S seconds the fires
 * handled, their lag (run created − planned time) percentiles, Redis memory and key count, and
 * each process's RSS; at the end, every planned fire of the measured window is checked for
 * exactly one occurrence and at most one run. The report goes to bench/SOAK.md.
 *
 * Schedule i fires at second (i mod P) of every P seconds ('S/P * * * * *'), so N schedules give
 * a steady N/P fires per second. Runs are kept by age (SOAK_RETENTION_MINUTES) rather than by
 * count, so every run can be read once before it is trimmed. Sizes:
 *   SOAK_SCHEDULES (10000), SOAK_PERIOD_S (10), SOAK_MINUTES (10), SOAK_WORKERS (2),
 *   SOAK_CONCURRENCY (100 per worker), SOAK_SAMPLE_S (30), SOAK_RETENTION_MINUTES (5).
 * SOAK_PERIOD_S must divide 60.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine } from '@flowdeck/engine';
import { createKeys, decodeOccurrence, triggerOf } from '@flowdeck/engine/internal';
import {
  benchRedis,
  fmtBytes,
  inParallel,
  pct,
  rssOf,
  type Spawned,
  sleep,
  spawnService,
  usedMemory,
} from './lib.ts';

const env = (name: string, fallback: number) => Number(process.env[name] || fallback);
const SCHEDULES = env('SOAK_SCHEDULES', 10_000);
const PERIOD_S = env('SOAK_PERIOD_S', 10);
const MINUTES = env('SOAK_MINUTES', 10);
const WORKERS = env('SOAK_WORKERS', 2);
const CONCURRENCY = env('SOAK_CONCURRENCY', 100);
const SAMPLE_S = env('SOAK_SAMPLE_S', 30);
const RETENTION_MIN = env('SOAK_RETENTION_MINUTES', 5);
const FLOW = 'soak-flow';
const TERMINAL = new Set(['completed', 'failed', 'canceled']);

const say = (line: string) => process.stdout.write(`${line}\n`);

interface Sample {
  at: number;
  fires: number;
  lag: { p50: number; p95: number; p99: number; max: number };
  redisBytes: number;
  /** Occurrence history (estimated from 100 schedules): bounded at 1,000 fires per schedule. */
  occurrenceBytes: number;
  keys: number;
  workerRss: number[];
  apiRss: number;
  /** Share of one core Redis used since the last sample, its own and its forks' (AOF rewrites). */
  redisCpu: number;
  /** AOF rewrites Redis started since the last sample: each forks a child that rewrites the whole dataset. */
  rewrites: number;
}

/** What Redis's latency monitor saw: each kind of event with its worst time. */
async function latencyEvents(client: { latency(sub: 'LATEST'): Promise<unknown> }) {
  const events = (await client.latency('LATEST')) as [string, number, number, number][];
  if (events.length === 0) return 'none';
  return events.map(([name, , , worst]) => `${name} (worst ${worst} ms)`).join(', ');
}

/** Redis's CPU seconds (main process and its children) and how many times it forked. */
async function redisLoad(client: { info(section: string): Promise<string> }) {
  const info = `${await client.info('cpu')}\n${await client.info('stats')}`;
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return {
    cpuS:
      field('used_cpu_user') +
      field('used_cpu_sys') +
      field('used_cpu_user_children') +
      field('used_cpu_sys_children'),
    forks: field('total_forks'),
  };
}

async function main() {
  const redis = await benchRedis();
  // Redis records what blocked it for 100 ms or more (a fork, an AOF fsync): reported at the end.
  await redis.client.config('SET', 'latency-monitor-threshold', '100');
  const prefix = `soak${Date.now().toString(36)}`;
  const keys = createKeys(prefix);
  const processEnv = {
    REDIS_URL: redis.url,
    FLOWDECK_PREFIX: prefix,
    FLOWDECK_FLOWS: join(import.meta.dirname, 'soak-flows.ts'),
    FLOWDECK_EXAMPLES: 'off',
    WORKER_CONCURRENCY: String(CONCURRENCY),
    FLOWDECK_RUN_RETENTION_COUNT: '100000000',
    FLOWDECK_RUN_RETENTION_DAYS: String(RETENTION_MIN / 1440),
    FLOWDECK_WRITE_RATE_LIMIT: '0',
  };
  const services: Spawned[] = [];
  const engine = createEngine({
    redisUrl: redis.url,
    prefix,
    retention: { maxRuns: 100_000_000, maxAgeMs: RETENTION_MIN * 60_000 },
    heartbeatMs: 5000,
  });
  try {
    // Workers log warnings only (at info each step is a line); one is up once it is registered.
    const registered = () => redis.client.hlen(keys.workers);
    for (let i = 0; i < WORKERS; i++) {
      const before = await registered();
      services.push(
        await spawnService(
          'worker',
          { ...processEnv, LOG_LEVEL: 'warn' },
          async () => (await registered()) > before,
        ),
      );
    }
    const api = await spawnService('api', { ...processEnv, LOG_LEVEL: 'info' }, /"msg":"api listening"/);
    services.push(api);
    say(
      `soak: ${SCHEDULES} schedules firing every ${PERIOD_S} s (${Math.round(SCHEDULES / PERIOD_S)} fires/s), ` +
        `3-step flow, ${WORKERS} worker processes × concurrency ${CONCURRENCY}, ${MINUTES} min, runs kept ${RETENTION_MIN} min`,
    );
    const ids: string[] = [];
    /** Each schedule's second within the period. */
    const offsets = new Map<string, number>();
    const t0 = Date.now();
    await inParallel(SCHEDULES, 50, async (i) => {
      const { schedule } = await engine.schedules.create(FLOW, {
        cron: `${i % PERIOD_S}/${PERIOD_S} * * * * *`,
      });
      ids.push(schedule.id);
      offsets.set(schedule.id, (i % PERIOD_S) * 1000);
    });
    say(`created ${SCHEDULES} schedules in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    // The measured window starts once every schedule exists.
    const from = Math.ceil(Date.now() / 1000) * 1000 + PERIOD_S * 1000;
    const to = from + MINUTES * 60_000;
    const runsPerFire = new Map<string, number>();
    const unfinished = new Set<string>();
    let lastId = '';
    const samples: Sample[] = [];
    const header = [
      '| t (s) | fires/s | lag p50 | p95 | p99 | max | Redis used | of which occurrences | keys | worker RSS | API RSS | Redis CPU | AOF rewrites |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ];
    const row = (s: Sample) =>
      `| ${s.at} | ${Math.round(s.fires)} | ${s.lag.p50} ms | ${s.lag.p95} ms | ${s.lag.p99} ms | ${s.lag.max} ms | ` +
      `${fmtBytes(s.redisBytes)} | ${fmtBytes(s.occurrenceBytes)} | ${s.keys.toLocaleString('en')} | ` +
      `${s.workerRss.map(fmtBytes).join(', ')} | ${fmtBytes(s.apiRss)} | ${Math.round(s.redisCpu * 100)}% | ${s.rewrites} |`;
    say(`\n${header.join('\n')}`);

    async function occurrenceBytes() {
      const sampled = ids.slice(0, 100);
      let total = 0;
      for (const id of sampled) {
        total += Number((await redis.client.memory('USAGE', keys.occurrenceIndex(FLOW, id))) ?? 0);
      }
      return (total / sampled.length) * ids.length;
    }

    /** Reads the runs created since the last read (before retention trims them). */
    async function readNewRuns() {
      const newIds = await redis.client.zrangebylex(keys.runIndex(FLOW), lastId ? `(${lastId}` : '-', '+');
      const lags: number[] = [];
      for (let i = 0; i < newIds.length; i += 2000) {
        const chunk = newIds.slice(i, i + 2000);
        const pipeline = redis.client.pipeline();
        for (const id of chunk)
          pipeline.hmget(keys.run(FLOW, id), 'createdAt', 'status', 'trigger', 'scheduleId', 'scheduledFor');
        const replies = (await pipeline.exec()) ?? [];
        replies.forEach(([, value], j) => {
          const [createdAt, status, trigger, id, at] = value as (string | null)[];
          if (!trigger) return;
          const { scheduleId, scheduledFor } = triggerOf({ trigger, scheduleId: id, scheduledFor: at });
          if (!scheduleId || scheduledFor === undefined) return;
          const fire = `${scheduleId}@${scheduledFor}`;
          runsPerFire.set(fire, (runsPerFire.get(fire) ?? 0) + 1);
          if (scheduledFor < from || scheduledFor >= to) return;
          lags.push(Number(createdAt) - scheduledFor);
          if (!TERMINAL.has(status ?? '')) unfinished.add(chunk[j]!);
        });
      }
      if (newIds.length > 0) lastId = newIds.at(-1)!;
      return lags.sort((a, b) => a - b);
    }

    await sleep(from - Date.now());
    await readNewRuns();
    let previous = Date.now();
    let previousLoad = await redisLoad(redis.client);
    while (Date.now() < to) {
      await sleep(Math.min(SAMPLE_S * 1000, to - Date.now()));
      const lags = await readNewRuns();
      const now = Date.now();
      const load = await redisLoad(redis.client);
      const sample: Sample = {
        at: Math.round((now - from) / 1000),
        fires: lags.length / ((now - previous) / 1000),
        lag: { p50: pct(lags, 50), p95: pct(lags, 95), p99: pct(lags, 99), max: lags.at(-1) ?? Number.NaN },
        redisBytes: await usedMemory(redis.client),
        occurrenceBytes: await occurrenceBytes(),
        keys: await redis.client.dbsize(),
        workerRss: await Promise.all(services.slice(0, WORKERS).map((s) => rssOf(s.pid))),
        apiRss: await rssOf(api.pid),
        redisCpu: (load.cpuS - previousLoad.cpuS) / ((now - previous) / 1000),
        rewrites: load.forks - previousLoad.forks,
      };
      previousLoad = load;
      const health = await fetch(`${api.baseUrl}/api/health`).then((r) => r.status);
      if (health !== 200) say(`API health answered ${health}`);
      previous = now;
      samples.push(sample);
      say(row(sample));
    }

    // Fires still queued when the window ends are late, not missed, and fires BullMQ skipped
    // while behind are recovered by later ones: the schedules go on firing until every planned
    // fire of the window has its occurrence (up to ten minutes). Removing the job schedulers
    // instead would also remove their pending fires.
    const plannedInWindow = ids.length * Math.round((to - from) / (PERIOD_S * 1000));
    const caughtUpBy = Date.now() + 600_000;
    while (Date.now() < caughtUpBy) {
      await readNewRuns();
      const pipeline = redis.client.pipeline();
      for (const id of ids) pipeline.zcount(keys.occurrenceIndex(FLOW, id), from, to - 1);
      const recorded = ((await pipeline.exec()) ?? []).reduce((sum, [, n]) => sum + Number(n), 0);
      if (recorded >= plannedInWindow) break;
      await sleep(5000);
    }
    const drainMs = Date.now() - to;
    // Every planned fire of the window: one occurrence each, no fire with two runs.
    await readNewRuns();
    let planned = 0;
    let accounted = 0;
    let missedCatchup = 0;
    const missing: string[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const pipeline = redis.client.pipeline();
      const chunk = ids.slice(i, i + 500);
      for (const id of chunk) pipeline.zrange(keys.occurrenceIndex(FLOW, id), '0', '-1');
      const replies = (await pipeline.exec()) ?? [];
      replies.forEach(([, value], j) => {
        const id = chunk[j]!;
        const byTime = new Map(
          (value as string[])
            .map((member) => decodeOccurrence(member))
            .filter((o) => o !== undefined)
            .map((o) => [o.scheduledFor, o.outcome] as const),
        );
        const offset = offsets.get(id)!;
        for (let t = from - (from % (PERIOD_S * 1000)) + offset; t < to; t += PERIOD_S * 1000) {
          if (t < from) continue;
          planned++;
          const outcome = byTime.get(t);
          if (outcome === undefined) missing.push(`${id}@${t}`);
          else {
            accounted++;
            if (outcome === 'missed-catchup') missedCatchup++;
          }
        }
      });
    }
    const duplicates = [...runsPerFire.values()].filter((n) => n > 1).length;
    // The window's runs finish shortly after their fires were handled; give them two minutes.
    let stillRunning = unfinished.size;
    for (const until = Date.now() + 120_000; stillRunning > 0 && Date.now() < until; await sleep(2000)) {
      const statuses = await Promise.all(
        [...unfinished].map((id) => redis.client.hget(keys.run(FLOW, id), 'status')),
      );
      stillRunning = statuses.filter((s) => s !== null && !TERMINAL.has(s)).length;
    }
    const half = Math.floor(samples.length / 2);
    const growth = (a: Sample | undefined, b: Sample | undefined) =>
      a && b ? fmtBytes(b.redisBytes - a.redisBytes) : '-';
    const growthBesides = (a: Sample | undefined, b: Sample | undefined) =>
      a && b ? fmtBytes(b.redisBytes - b.occurrenceBytes - (a.redisBytes - a.occurrenceBytes)) : '-';
    const result = [
      `planned fires ${planned.toLocaleString('en')}, accounted for ${accounted.toLocaleString('en')} (missed per catch-up ${missedCatchup}), ` +
        `silently missed ${missing.length}${missing.length ? ` (${missing.slice(0, 3).join(', ')})` : ''}, fires with two runs ${duplicates}, ` +
        `runs unfinished after the window's fires were all handled (${Math.round(drainMs / 1000)} s after it ended) ${stillRunning}`,
      `Redis memory: ${growth(samples[0], samples[half])} over the first half, ${growth(samples[half], samples.at(-1))} over the second; ` +
        `besides the occurrence history (kept up to 1,000 per schedule): ${growthBesides(samples[0], samples[half])}, then ${growthBesides(samples[half], samples.at(-1))}`,
    ];
    result.push(
      `Redis stalls of 100 ms or more (Redis's latency monitor): ${await latencyEvents(redis.client)}`,
    );
    for (const line of result) say(`\n${line}`);
    const table = [...header, ...samples.map(row)].join('\n');
    writeFileSync(
      new URL('SOAK.md', import.meta.url),
      `# Soak\n\n${new Date().toISOString()} · ${SCHEDULES} schedules every ${PERIOD_S} s (${Math.round(SCHEDULES / PERIOD_S)} fires/s) of a ` +
        `3-step flow for ${MINUTES} min; ${WORKERS} worker processes × concurrency ${CONCURRENCY}; runs kept ${RETENTION_MIN} min. ` +
        `Rerun: \`npm run soak\` (sizes in bench/soak.ts).\n\n${table}\n\n${result.join('\n\n')}\n`,
    );
    if (missing.length > 0 || duplicates > 0) process.exitCode = 1;
  } finally {
    await Promise.all(services.map((s) => s.stop()));
    await engine.close();
    await redis.stop();
  }
}

await main();
