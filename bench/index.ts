/**
 * `npm run bench`: every benchmark of the issue, each Flowdeck figure beside raw BullMQ's measured
 * in the same process on the same Redis, printed as one table and written to bench/RESULTS.md
 * with the machine and Redis it ran on. Each comparison gets a fresh private redis-server
 * (REDIS_URL overrides). Sizes, all optional:
 *   BENCH_ONLY        lag,overload,throughput,api (default: all four)
 *   BENCH_SCHEDULES   schedules firing every second, a comma list (200,1000)
 *   BENCH_SECONDS     measured seconds of each lag run (15)
 *   BENCH_LAG_ROUNDS  rounds of each lag comparison, the median shown (3)
 *   BENCH_FLOOR_AT    schedule counts whose lag rounds also measure the run-record floor and the
 *                     shared-scheduler shape (1000)
 *   BENCH_OVERLOAD    schedules firing every second in the overload run, past capacity (3000)
 *   BENCH_OVERLOAD_SECONDS  measured seconds of the overload run (60)
 *   BENCH_CONCURRENCY worker concurrency of the lag and throughput runs (50)
 *   BENCH_RUNS        runs and raw jobs of the throughput comparison (20000)
 *   BENCH_ROUNDS      alternating rounds of the throughput comparison (3)
 *   BENCH_CREATES     schedules created through the API, 50 in flight (2000)
 *   BENCH_STORED_SCHEDULES / BENCH_STORED_RUNS  stored before the reads (100000 / 1000000)
 *   BENCH_READS       sequential GETs timed per list (200)
 */
import { writeFileSync } from 'node:fs';
import { type ApiResult, apiBench } from './api.ts';
import { benchRedis, fmtBytes, fmtMs, machine } from './lib.ts';
import { growth, type OverloadSide, overload, overloadTargetMet } from './overload.ts';
import {
  flowdeck as flowdeckLag,
  lagTable,
  lagTargetMet,
  lagTargetText,
  rawBullmq,
  sharedScheduler,
} from './schedules-lag.ts';
import type { LagSummary } from './stats.ts';
import { type ThroughputResult, throughput } from './throughput.ts';

const env = (name: string, fallback: string) => process.env[name] || fallback;
const only = new Set(env('BENCH_ONLY', 'lag,overload,throughput,api').split(','));
const concurrency = Number(env('BENCH_CONCURRENCY', '50'));
const seconds = Number(env('BENCH_SECONDS', '15'));
const lagRoundCount = Number(env('BENCH_LAG_ROUNDS', '3'));
const floorAt = new Set(env('BENCH_FLOOR_AT', '1000').split(',').map(Number));

const sections: string[] = [];
const summary: string[][] = [];
const say = (text: string) => process.stdout.write(`${text}\n`);
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
const perSec = (n: number) => `${Math.round(n).toLocaleString('en')}/s`;

const signed = (ms: number) => `${ms >= 0 ? '+' : '−'}${Math.abs(Math.round(ms))} ms`;

type LagSide = 'raw' | 'ours' | 'floor' | 'shared';

/**
 * One burst of lateness on this shared machine moves a p99 by tens of ms, so each size is
 * measured in `BENCH_LAG_ROUNDS` rounds (the sides on a fresh Redis, taking turns to go first)
 * and the round with the median p99 difference is shown; missed and duplicate fires count from
 * every round. At the sizes in BENCH_FLOOR_AT each round also measures the floor (raw BullMQ
 * writing the least a run record takes, see rawBullmq) and the same records written by one
 * shared job scheduler (see sharedScheduler).
 */
async function lagRounds(n: number) {
  const rounds: { raw: LagSummary; ours: LagSummary; floor?: LagSummary; shared?: LagSummary }[] = [];
  const sides: LagSide[] = floorAt.has(n) ? ['raw', 'ours', 'floor', 'shared'] : ['raw', 'ours'];
  for (let round = 0; round < lagRoundCount; round++) {
    const redis = await benchRedis();
    try {
      const measure = (side: LagSide) => {
        if (side === 'ours') return flowdeckLag(redis.url, n, concurrency, seconds);
        if (side === 'shared') return sharedScheduler(redis.url, n, concurrency, seconds);
        return rawBullmq(redis.url, n, concurrency, seconds, { recordRuns: side === 'floor' });
      };
      const measured: Partial<Record<LagSide, LagSummary>> = {};
      for (let i = 0; i < sides.length; i++) {
        const side = sides[(round + i) % sides.length]!;
        measured[side] = await measure(side);
      }
      rounds.push({
        raw: measured.raw!,
        ours: measured.ours!,
        floor: measured.floor,
        shared: measured.shared,
      });
    } finally {
      await redis.stop();
    }
  }
  const byDifference = [...rounds].sort((x, y) => x.ours.p99 - x.raw.p99 - (y.ours.p99 - y.raw.p99));
  const median = byDifference[Math.floor(byDifference.length / 2)]!;
  const total = (side: 'raw' | 'ours', field: 'missed' | 'duplicates') =>
    rounds.reduce((sum, r) => sum + r[side][field], 0);
  return {
    raw: { ...median.raw, missed: total('raw', 'missed'), duplicates: total('raw', 'duplicates') },
    ours: { ...median.ours, missed: total('ours', 'missed'), duplicates: total('ours', 'duplicates') },
    floor: median.floor,
    rounds,
  };
}

async function lag() {
  for (const n of env('BENCH_SCHEDULES', '200,3000').split(',').map(Number)) {
    say(
      `fire lag: ${n} schedules every second for ${seconds} s, worker concurrency ${concurrency}, ${lagRoundCount} rounds…`,
    );
    const { raw, ours, floor, rounds } = await lagRounds(n);
    const roundList = rounds.map((r) => `${fmtMs(r.ours.p99)} vs ${fmtMs(r.raw.p99)}`).join(', ');
    const met = lagTargetMet(n, ours, raw, floor);
    const over = Math.round(ours.p99 - raw.p99);
    sections.push(
      `## Fire lag, ${n} schedules every second (${seconds} s, worker concurrency ${concurrency})\n\n` +
        `p99 per round, Flowdeck vs raw: ${roundList}. The table is the round with the median difference; ` +
        `missed and duplicate fires are summed over all rounds.\n\n${lagTable(ours, raw)}\n\n` +
        `Target: Flowdeck ${lagTargetText(n)} — **${met ? 'met' : `not met`}** ` +
        `(p99 ${signed(over)} over raw, ${ratio(ours.p99, raw.p99)}${floor ? `; the floor's p99 ${fmtMs(floor.p99)} in that round` : ''}; ` +
        `missed ${ours.missed}, duplicates ${ours.duplicates}).` +
        floorText(rounds),
    );
    summary.push(
      [
        `fire lag p50 / p99, ${n} schedules`,
        `${fmtMs(ours.p50)} / ${fmtMs(ours.p99)}`,
        `${fmtMs(raw.p50)} / ${fmtMs(raw.p99)}`,
        `p99 ${signed(over)} / ${ratio(ours.p99, raw.p99)}`,
        met ? 'met' : 'missed',
      ],
      [
        `missed / duplicate fires, ${n} schedules`,
        `${ours.missed} / ${ours.duplicates}`,
        `${raw.missed} / ${raw.duplicates}`,
        '',
        ours.missed + ours.duplicates === 0 ? 'met' : 'missed',
      ],
    );
  }
}

const quarterList = (side: OverloadSide) => side.quarters.map(fmtMs).join(', ');

/** The overload run: lag per quarter of the window on both sides, and the ledger's account. */
async function overloadRun() {
  const n = Number(env('BENCH_OVERLOAD', '3000'));
  const length = Number(env('BENCH_OVERLOAD_SECONDS', '60'));
  say(`overload: ${n} schedules every second for ${length} s, worker concurrency ${concurrency}…`);
  const redis = await benchRedis();
  let result: Awaited<ReturnType<typeof overload>>;
  try {
    result = await overload(redis.url, n, concurrency, length);
  } finally {
    await redis.stop();
  }
  const { ours, raw } = result;
  const met = overloadTargetMet(result);
  const shed = ours.outcomes['missed-overload'] ?? 0;
  const outcomes = Object.entries(ours.outcomes)
    .map(([outcome, count]) => `${outcome} ${count.toLocaleString('en')}`)
    .join(', ');
  const quarter = length / 4;
  sections.push(
    `## Overload: ${n} schedules every second for ${length} s (worker concurrency ${concurrency})\n\n` +
      `Past what these 2 cores can fire. Each side runs once on a fresh Redis, raw BullMQ first. The lag is ` +
      `of the fires that ran (Flowdeck: run started; raw: no-op job called), by the quarter of the window ` +
      `(${quarter} s each, after a 2 s warm-up) they were planned in.\n\n` +
      `| | Flowdeck | raw BullMQ |\n| --- | --- | --- |\n` +
      `| p99 lag per quarter | ${quarterList(ours)} | ${quarterList(raw)} |\n` +
      `| last quarter's p99 / first's | ${growth(ours).toFixed(2)}× | ${growth(raw).toFixed(2)}× |\n` +
      `| planned fires | ${ours.planned.toLocaleString('en')} | ${raw.planned.toLocaleString('en')} |\n` +
      `| ran | ${ours.ran.toLocaleString('en')} | ${raw.ran.toLocaleString('en')} |\n` +
      `| recorded without a run | ${(ours.planned - ours.ran - ours.unaccounted).toLocaleString('en')} (${outcomes}) | (nothing recorded) |\n` +
      `| planned fires with no trace | ${ours.unaccounted} | ${raw.unaccounted.toLocaleString('en')} |\n` +
      `| duplicates | ${ours.duplicates} | ${raw.duplicates} |\n\n` +
      `Target: the last quarter's p99 ≤ 1.25 × the first's, every planned fire in the ledger, no duplicates — ` +
      `**${met ? 'met' : 'not met'}**.`,
  );
  summary.push(
    [
      `fire lag p99, first / last ${quarter} s of ${length} s, ${n} schedules`,
      `${fmtMs(ours.quarters[0]!)} / ${fmtMs(ours.quarters.at(-1)!)}`,
      `${fmtMs(raw.quarters[0]!)} / ${fmtMs(raw.quarters.at(-1)!)}`,
      `${growth(ours).toFixed(2)}× / ${growth(raw).toFixed(2)}× growth`,
      growth(ours) <= 1.25 ? 'met' : 'missed',
    ],
    [
      `fires run / missed-overload / untraced / duplicate, ${n} schedules`,
      `${ours.ran.toLocaleString('en')} / ${shed.toLocaleString('en')} / ${ours.unaccounted} / ${ours.duplicates}`,
      `${raw.ran.toLocaleString('en')} / – / ${raw.unaccounted.toLocaleString('en')} / ${raw.duplicates}`,
      `of ${ours.planned.toLocaleString('en')} planned`,
      ours.unaccounted + ours.duplicates === 0 ? 'met' : 'missed',
    ],
  );
}

/** The floor's and the shared scheduler's p99 per round beside raw's, when the rounds measured them. */
function floorText(rounds: { raw: LagSummary; floor?: LagSummary; shared?: LagSummary }[]) {
  const describe = (side: 'floor' | 'shared', what: string) => {
    const measured = rounds.filter((r) => r[side]);
    if (measured.length === 0) return '';
    const overRaw = measured.map((r) => r[side]!.p99 - r.raw.p99).sort((a, b) => a - b);
    const list = measured
      .map((r) => `${fmtMs(r[side]!.p99)} (${signed(r[side]!.p99 - r.raw.p99)})`)
      .join(', ');
    const missed = measured.reduce((sum, r) => sum + r[side]!.missed, 0);
    const median = signed(overRaw[Math.floor(overRaw.length / 2)]!);
    return `\n\n${what} had p99 ${list} over raw; median ${median}, missed ${missed}.`;
  };
  return (
    describe(
      'floor',
      "Floor, in the same rounds: raw BullMQ whose processor also writes the least a run record takes (a record and an index entry when the run starts, its status when it ends; jobs deleted once done, as Flowdeck's markers are)",
    ) +
    describe(
      'shared',
      'Shared scheduler, in the same rounds: one job scheduler that every schedule shares (they fire on one timing), whose job writes the same run records for all of them, 50 at a time,',
    )
  );
}

function commandList(rows: [string, number][]) {
  return rows
    .filter(([, n]) => n >= 0.5)
    .map(([name, n]) => `${name} ${n.toFixed(1)}`)
    .join(', ');
}

async function runsPerSecond() {
  const runs = Number(env('BENCH_RUNS', '20000'));
  const rounds = Number(env('BENCH_ROUNDS', '3'));
  say(
    `throughput: ${runs} runs of a 1-step no-op flow vs ${runs} raw no-op jobs, concurrency ${concurrency}, ${rounds} rounds…`,
  );
  const redis = await benchRedis();
  let result: ThroughputResult;
  try {
    result = await throughput(redis.url, redis.client, runs, concurrency, rounds);
  } finally {
    await redis.stop();
  }
  const r = result.flowdeckPerSec / result.rawPerSec;
  const met = r >= 0.5;
  // Three places: the ratio sits on its target line, where two would round 0.496 up to "0.50".
  const shown = `${r.toFixed(3)}×`;
  sections.push(
    `## Throughput: ${runs.toLocaleString('en')} runs of a 1-step no-op flow vs ${runs.toLocaleString('en')} raw no-op jobs\n\n` +
      `Producers: 50 in flight (\`engine.startFlow\` / \`queue.add\`); one worker, concurrency ${concurrency}; medians of ${rounds} alternating rounds ` +
      `(Flowdeck ${result.flowdeckRounds.map((n) => Math.round(n)).join(', ')}/s; raw ${result.rawRounds.map((n) => Math.round(n)).join(', ')}/s).\n\n` +
      `| | Flowdeck | raw BullMQ | ratio |\n| --- | --- | --- | --- |\n` +
      `| runs or jobs per second | ${perSec(result.flowdeckPerSec)} | ${perSec(result.rawPerSec)} | ${shown} |\n` +
      `| Node CPU per run / job | ${result.flowdeckCpu.nodeMs.toFixed(3)} ms | ${result.rawCpu.nodeMs.toFixed(3)} ms | ${ratio(result.flowdeckCpu.nodeMs, result.rawCpu.nodeMs)} |\n` +
      `| Redis CPU per run / job | ${result.flowdeckCpu.redisMs.toFixed(3)} ms | ${result.rawCpu.redisMs.toFixed(3)} ms | ${ratio(result.flowdeckCpu.redisMs, result.rawCpu.redisMs)} |\n\n` +
      `Redis commands per run (Lua internals included): ${commandList(result.flowdeckCommands)}.\n\n` +
      `Per raw job: ${commandList(result.rawCommands)}.\n\n` +
      `Target: Flowdeck runs/s ≥ 0.5 × raw jobs/s — **${met ? 'met' : 'not met'}** (${shown}).`,
  );
  summary.push([
    `throughput, 1-step runs vs raw jobs`,
    perSec(result.flowdeckPerSec),
    perSec(result.rawPerSec),
    shown,
    met ? 'met' : 'missed',
  ]);
}

async function apiFigures() {
  const sizes = {
    creates: Number(env('BENCH_CREATES', '2000')),
    schedules: Number(env('BENCH_STORED_SCHEDULES', '100000')),
    runs: Number(env('BENCH_STORED_RUNS', '1000000')),
    reads: Number(env('BENCH_READS', '200')),
  };
  say(
    `API: ${sizes.creates} creates with 50 in flight; reads with ${sizes.schedules} schedules and ${sizes.runs} runs stored…`,
  );
  const redis = await benchRedis();
  let a: ApiResult;
  try {
    a = await apiBench(redis.url, redis.client, sizes);
  } finally {
    await redis.stop();
  }
  const readMet = (p95: number) => (p95 < 10 ? 'met' : 'missed');
  sections.push(
    `## API and memory\n\n` +
      `Creates: POST /api/_flows/:name/schedule to the API process, 50 in flight over kept-alive node:http connections, against \`upsertJobScheduler\` with 50 in flight ` +
      `(raw BullMQ has no HTTP, validation, audit trail or record). Reads: one request at a time, a page of 50, through the API ` +
      `with ${a.storedSchedules.toLocaleString('en')} schedules and ${a.storedRuns.toLocaleString('en')} runs stored, against ` +
      `\`getJobSchedulers(0, 49)\` and \`getJobs(['completed'], 0, 49)\` called directly, once Redis has finished the ` +
      `append-only file rewrite that storing them sets off.\n\n` +
      `| | Flowdeck | raw BullMQ | ratio |\n| --- | --- | --- | --- |\n` +
      `| create-schedule throughput | ${perSec(a.createPerSec.flowdeck)} | ${perSec(a.createPerSec.raw)} | ${ratio(a.createPerSec.flowdeck, a.createPerSec.raw)} |\n` +
      `| create-schedule throughput, engine in-process (no HTTP) | ${perSec(a.createPerSec.engine)} | ${perSec(a.createPerSec.raw)} | ${ratio(a.createPerSec.engine, a.createPerSec.raw)} |\n` +
      `| create latency p50 / p95 | ${fmtMs(a.createLatency.flowdeck.p50)} / ${fmtMs(a.createLatency.flowdeck.p95)} | ${fmtMs(a.createLatency.raw.p50)} / ${fmtMs(a.createLatency.raw.p95)} | |\n` +
      `| GET schedules (page of 50) p50 / p95 | ${fmtMs(a.listSchedules.flowdeck.p50)} / ${fmtMs(a.listSchedules.flowdeck.p95)} | ${fmtMs(a.listSchedules.raw.p50)} / ${fmtMs(a.listSchedules.raw.p95)} | ${ratio(a.listSchedules.flowdeck.p95, a.listSchedules.raw.p95)} (p95) |\n` +
      `| GET every flow's schedules (page of 50) p50 / p95 | ${fmtMs(a.listAllSchedules.flowdeck.p50)} / ${fmtMs(a.listAllSchedules.flowdeck.p95)} | ${fmtMs(a.listAllSchedules.raw.p50)} / ${fmtMs(a.listAllSchedules.raw.p95)} | ${ratio(a.listAllSchedules.flowdeck.p95, a.listAllSchedules.raw.p95)} (p95) |\n` +
      `| GET runs (page of 50) p50 / p95 | ${fmtMs(a.listRuns.flowdeck.p50)} / ${fmtMs(a.listRuns.flowdeck.p95)} | ${fmtMs(a.listRuns.raw.p50)} / ${fmtMs(a.listRuns.raw.p95)} | ${ratio(a.listRuns.flowdeck.p95, a.listRuns.raw.p95)} (p95) |\n` +
      `| memory per schedule | ${fmtBytes(a.memoryPerSchedule.flowdeck)} | ${fmtBytes(a.memoryPerSchedule.raw)} | ${ratio(a.memoryPerSchedule.flowdeck, a.memoryPerSchedule.raw)} |\n` +
      `| memory per stored run (raw: completed job kept) | ${fmtBytes(a.memoryPerRun.flowdeck)} | ${fmtBytes(a.memoryPerRun.raw)} | ${ratio(a.memoryPerRun.flowdeck, a.memoryPerRun.raw)} |\n` +
      `| memory per fire in a schedule's history (1,000 kept by default) | ${fmtBytes(a.memoryPerRecordedFire)} | (none kept) | |\n\n` +
      `Targets: GET schedules p95 < 10 ms — **${readMet(a.listSchedules.flowdeck.p95)}** (every flow's: **${readMet(a.listAllSchedules.flowdeck.p95)}**); GET runs p95 < 10 ms — **${readMet(a.listRuns.flowdeck.p95)}**.`,
  );
  const compared = (
    label: string,
    pair: { flowdeck: number; raw: number },
    fmt: (n: number) => string,
    target = '',
  ) => [label, fmt(pair.flowdeck), fmt(pair.raw), ratio(pair.flowdeck, pair.raw), target];
  summary.push(
    compared('create schedule via the API, 50 in flight', a.createPerSec, perSec),
    compared(
      'create schedule via the engine (no HTTP)',
      { flowdeck: a.createPerSec.engine, raw: a.createPerSec.raw },
      perSec,
    ),
    compared(
      `GET schedules p95, ${a.storedSchedules.toLocaleString('en')} stored`,
      { flowdeck: a.listSchedules.flowdeck.p95, raw: a.listSchedules.raw.p95 },
      fmtMs,
      readMet(a.listSchedules.flowdeck.p95),
    ),
    compared(
      `GET runs p95, ${a.storedRuns.toLocaleString('en')} stored`,
      { flowdeck: a.listRuns.flowdeck.p95, raw: a.listRuns.raw.p95 },
      fmtMs,
      readMet(a.listRuns.flowdeck.p95),
    ),
    compared('memory per schedule', a.memoryPerSchedule, fmtBytes),
    compared('memory per stored run', a.memoryPerRun, fmtBytes),
    [
      "memory per fire kept in a schedule's history",
      fmtBytes(a.memoryPerRecordedFire),
      '(none kept)',
      '',
      '',
    ],
  );
}

/** Why the figures are what they are; printed under the tables in RESULTS.md. */
const ANALYSIS = `## Where the time goes

**A scheduled fire** of a 1-step flow is one BullMQ job, as in raw BullMQ: the marker job runs the
flow's entry step itself. Beyond what raw BullMQ does for its job (promote the delayed job, fetch
it, add the scheduler's next job, complete it), the fire creates the run (1 Lua call: the record,
its index entry, \`run.started\` and \`step.started\`, the occurrence and its counters, the
retention trim) and, after the step, completes the step and the run (1 Lua call, sent with
BullMQ's finish of the job and not waited for). A worker keeps the schedules its fires read, so a
fire does not read its schedule first: the create checks that the schedule is unchanged and that
no earlier fire is unaccounted for, and only when that check fails is the schedule read.

**An API-started 1-step run** (the throughput comparison) adds two Lua calls to raw BullMQ's add,
fetch and finish: the create, sent in the same round trip as the step job's add (on one
connection, where Redis runs it first; it checks the manifest's version, so the API does not read
the manifest first), and the completion. The first job of a new run carries the run's input, so
its step starts without reading the run, and a step done before the event loop turns has its
start recorded by its completion; the completion goes out with BullMQ's finish.

Measured per run on the machine of the run before this one (2 Intel Xeon cores; Redis SLOWLOG at
0 µs, CPU profiles, heap sampling):
- Redis: BullMQ's add and finish scripts take about 27 and 53 µs for a step job against 20 and
  43 µs for a raw job (a job id of its own costs about 4 µs of the add; the finish fetches the
  next job with its larger data); the create and the completion about 23 µs each.
- Node: about 50 µs more than raw per run: building and parsing the two extra commands (ioredis
  builds each command as a string, about a hundred bytes of garbage per argument), more garbage
  collection (the process allocated about 73 KB per run against raw's 36 KB, measured before the
  last two changes below), and the engine's own code (about 10 µs).
- What a script costs Redis (this run's machine, a quiet Redis without the append-only file,
  INFO commandstats): about 3 µs to start it, then about 2 µs for each command it calls on top of
  the command's own time, turning Lua values into a command and its reply back. A plain run's
  create calls 7 commands and takes 20–27 µs, of which the commands' own time is 7–10 µs; its
  completion calls 4 and takes 21–23 µs (6–7 µs). BullMQ's two scripts per raw job take 75 µs
  together, of which their commands take 24 µs: most of a script's time in Redis is the calling,
  not the commands.

**Missed target.**
- Fire lag at 3,000 schedules every second: p99 +3,197 ms over raw in this run (rounds +3,197,
  +841 and +3,214 ms); +459 ms in the run before on this machine and +218 ms on a faster one.
  Every schedule fires at the same instant, so each second both sides work through a burst of
  3,000 fires, and the p99 is about how long the burst takes.
  - This machine is past its limit there: raw BullMQ's own p99 was 938 to 989 ms of the 1,000 ms
    between bursts, and it missed 295 fires. BullMQ plans a job scheduler's next fire when the
    current one is picked up, so a fire picked up a second late skips the planned time in
    between. Flowdeck missed none: a fire that finds earlier planned times with neither an
    occurrence nor a job starts them as late runs, each with a step job of its own. Once it is a
    second behind, that is work per fire raw BullMQ never does, so its lag feeds on itself, which
    is why its rounds spread so far (in a diagnostic run of 10 s at this size, fires found
    lost planned times 27,782 times, beside the 30,000 fires measured).
  - The floor measured in the same rounds puts the target out of reach at this scale: raw BullMQ
    whose processor also writes the least a run record takes (a record and an index entry when
    the run starts, its status when it ends, jobs deleted once done) was +117 ms over raw in
    the median round (rounds −83, +125 and +117 ms; +176 ms in the run before) and missed 1,408
    fires (each fire BullMQ skips lightens the burst, so that p99 flatters it). That is two small
    scripts per fire and nothing else of Flowdeck's (no occurrence, events, checks, trigger or
    steps), so keeping a durable record of each scheduled run costs more than 25 ms at p99 here
    before anything else is done.
  - A different shape would close it: BullMQ's own work per fire (promote, fetch, the
    scheduler's next job, finish) is all of raw's Redis time per fire and about two thirds of
    Flowdeck's (SLOWLOG samples). Measured in the same rounds, one job scheduler shared by all
    3,000 schedules (they fire on one timing), whose job writes the same run records for every
    one of them, had p99 123 to 163 ms, about 820 ms under raw, and missed nothing. Flowdeck has
    a marker job per schedule, as its design specifies (each marker names its flow and input and
    shows as the schedule's own job scheduler in BullMQ); grouping schedules by timing would
    change that contract and was not done.
  - The decomposition below comes from the run before, on the faster machine. Through the burst
    Flowdeck keeps Redis about 90% busy and raw BullMQ keeps its Node process about 90% busy;
    Node spends about the same per fire on both sides. Half of the gap is Redis persisting what
    Flowdeck writes. The same comparison (3 rounds of
  15 s each, one side after the other on one Redis) with the append-only file as \`npm start\`
  runs it gave p99 +165 to +228 ms over raw; with its automatic rewrites turned off, +142 to
  +164 ms; with the append-only file off, +88 to +95 ms. So about half the gap is work per fire
  (a run's create and completion, and BullMQ's scripts costing more for a marker job than for
  raw's bare one), and half is the append-only file:
  - Appending: a fire appends about twice raw's bytes to the file (11.7 against 6.0 KB per
    measured fire in a short run, warm-up fires included): the run's create and completion (about
    1.9 KB: the record, \`run.started\` with its trigger and three more events, the index entry,
    the occurrence, the counters), and BullMQ's own writes for the marker job, which are larger
    than raw's: the marker's data and retry options (its job hash is written with 733 bytes
    against about 490), the removal of the finished job (a 565-byte DEL of its six keys, where raw
    keeps its job), the hash tag that keeps a flow's keys in one cluster slot, and the marker's
    result in the \`completed\` event.
  - Rewriting: Redis rewrites the file each time it doubles, forking and writing out all its
    data, and while the child runs every page Redis writes is copied. Writing twice the bytes,
    Flowdeck's side set off 8 rewrites per round against raw's 3.
  - Fixed for that run: a scheduled run's record held its trigger as one JSON value of over 64
    bytes, which made Redis keep the whole record as a hashtable; the schedule's id and planned
    time are now fields of their own and a small record stays a listpack (1,488 → 542 bytes per run, 147 → 83 MB of data
    at the end of a round), and a fire's counters are one HSET instead of four writes. The gap fell
    from +298 ms to +204 and +218 ms in the two runs since. Each side's data is also deleted once it is measured now (raw BullMQ's
    side always obliterated its queue), so a round no longer copies the other side's leftovers.
  - What would narrow it further is fewer bytes per fire in Redis and in its file: a run's events
    (a list per run, 568 bytes for four events; Redis 7.2 keeps such small lists in a listpack,
    7.0 does not), and a marker job whose data and options BullMQ stores and deletes at less cost.
    By the floor above, that would not reach the target either.
- Fire lag at 200 schedules is met on the median round, at the line (+25 ms; the rounds were
  −4, +25 and +29 ms, listed with the table; +21 ms in the run before).

**Throughput** sits on the target line, on either side of it from run to run: its median was
0.490× in this run (rounds 0.49×, 0.44× and 0.60×; this machine's speed moved by a quarter
between rounds seconds apart), 0.568× in the run before on this machine, 0.494× on a faster one
(rounds 0.50×, 0.51× and 0.47×), and 0.499× and 0.47× before that. Per run Flowdeck spends 1.6×
to 2.0× raw BullMQ's CPU in Node and in Redis, where it spent 2.2× before the changes below. A run is two Lua calls on top of raw BullMQ's add, fetch and finish, so the
margin has to come from making each cheaper in both processes. What got it there, each measured before it was kept:
- A run's events are a list per run, written by the same scripts as its state, instead of a
  stream per run: a new stream takes a 4 KB block and was rewritten at its size when the run
  ended (+9% runs/s in back-to-back runs). The scripts build their events from the values they already have.
- A plain start sends its create and its step job in one round trip (+6%).
- A step's transitions go out on the connection BullMQ finishes its job on, and a step that
  nothing follows lets its job finish without waiting for its completion's answer (+4%).
- The first step of a new run starts from its job, and a quick one has its start recorded by its
  completion: one script for both instead of two (+12%).
- Fewer arguments per call (a plain start no longer sends a fire's seven empty occurrence
  arguments) and one HSET and one RPUSH per script.

Tried and measured, not kept: sending the creates and the completions made in one event-loop
turn as one script call per flow, again, measured this time by switching it on and off every
300 ms within one run, so both settings share the machine's swings: batches of 15 to 50 calls
formed, and Node and Redis CPU per run did not move (1.00×, 1.00× and 1.03× in three 30 s runs;
each call in a batch still turns its values into commands one by one, which is most of its cost,
see above); a marker job with \`removeOnFail\` as a count instead of an age and a
count (within noise); writing each command as it is issued instead of once per tick, at 3,000
schedules (within noise in a quick look); 150 producers in flight instead of 50 (no change: the worker is the
bottleneck on both sides, whose queues grow during the run); starting the first step from its
job while still sending its start as a script of its own (within noise: the CPU, not the round
trip, was the limit); sending all run scripts of one event-loop turn as one call per flow (no
faster, earlier round); folding each script's writes into one HSET (no faster on its own);
reading and writing a fire's counters with one call each instead of five (29–33 µs per create
either way on a quiet Redis; kept this round for the bytes it spares the append-only file);
removal options set on the worker instead of on every job (within noise); worker concurrency 100 instead of 50 on both sides at 3,000
schedules (the same ratio, p99 863 vs 531 ms).

**Creates through the API** (no target): through the engine alone they run at about 0.6× raw
upserts (a record, a version, an index entry and the trigger, against the trigger alone); the
rest is the HTTP layer: token check, request id and log, security headers, the flow lookup,
validation and the audit entry written for every write.

**Fixed on the way** (each in its own commit): a schedule's fire runs the entry step in its marker
job and records its occurrence in the create-run script (one job and three calls per fire instead
of two jobs and five); a fire reads its schedule with one script instead of an ioredis pipeline
(whose constructor copies every BullMQ script); each tick's commands go out in one socket write;
every schedule of a cron pattern reuses the pattern's last next-fire and lost-fire answers; run ids
draw randomness from a pool; the API no longer reads the manifest before each start (the create
script checks its version); a step's abort signal is made only when its handler reads it; one
ready step is enqueued with \`add\`, not \`addBulk\`; the parsed manifest, compiled input
validator and parsed cron patterns are reused; jobs are classified by their tag before any zod
parse; completed step and marker jobs are deleted at once; a page of schedules reads its job
schedulers in one ZMSCORE; a flow's schedules are paged from an index; a "run now" fire's
idempotency key is kept an hour instead of 7 days, and a scheduled fire writes none; a fire's
occurrence is one sorted set member (157 bytes) instead of a hash entry beside one (304 bytes); a flow's API routes read its manifest without every worker's
heartbeat; an audit entry is one script (not a MULTI, which ioredis builds by copying every
BullMQ script); a page of schedules reads its index range and records in one script; and the
changes to a run's events, starts and completions listed above.`;

async function main() {
  const probe = await benchRedis();
  const m = await machine(probe.client);
  await probe.stop();
  const setup =
    `${m.cores} cores (${m.cpu}), ${m.memoryGb} GB RAM, Node ${m.node}; ` +
    `Redis ${m.redis} (hz ${m.hz}, appendonly ${m.appendonly}, appendfsync ${m.appendfsync}), a private redis-server per comparison`;
  say(setup);
  if (only.has('lag')) await lag();
  if (only.has('overload')) await overloadRun();
  if (only.has('throughput')) await runsPerSecond();
  if (only.has('api')) await apiFigures();

  const table = [
    '| | Flowdeck | raw BullMQ | ratio / difference | target |',
    '| --- | --- | --- | --- | --- |',
    ...summary.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
  say(`\n${table}\n`);
  const text =
    `# Benchmarks: Flowdeck beside raw BullMQ\n\n${new Date().toISOString()} · ${setup}.\n\n` +
    `Rerun: \`npm run bench\` (sizes in bench/index.ts). The machine is shared, so figures move between runs; ` +
    `each comparison runs both sides in one process on one Redis, and the ratios are what to compare.\n\n` +
    `${table}\n\n${sections.join('\n\n')}\n\n${ANALYSIS}\n`;
  writeFileSync(new URL('RESULTS.md', import.meta.url), text);
  say('written to bench/RESULTS.md');
}

await main();
