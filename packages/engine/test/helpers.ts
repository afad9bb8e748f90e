import { randomBytes } from 'node:crypto';
import type { Run } from '@flowdeck/types';
import type { Engine } from '../src/api.ts';
import { createEngine } from '../src/engine.ts';
import type { DefinedFlow } from '../src/flow.ts';
import { startWorker, type WorkerHandle } from '../src/worker.ts';

/** Tests talk to the real private redis-server the test run started. */
export function redisUrl(): string {
  const url = process.env.REDIS_URL;
  if (!url)
    throw new Error('REDIS_URL is not set: run the tests through `npm test` or vitest at the repo root');
  return url;
}

/** A key prefix of its own per test, so test files run in parallel on one Redis. */
export function uniquePrefix(): string {
  return `t${randomBytes(4).toString('hex')}`;
}

export interface TestStack {
  prefix: string;
  engine: Engine;
  startWorker(
    flows: DefinedFlow[],
    options?: {
      shutdownGraceMs?: number;
      concurrency?: number;
      checkIntervalMs?: number;
      unstartedRunGraceMs?: number;
    },
  ): Promise<WorkerHandle>;
  close(): Promise<void>;
}

export function testStack(
  options: { maxRuns?: number; maxAgeMs?: number; occurrencesPerSchedule?: number } = {},
): TestStack {
  const prefix = uniquePrefix();
  const base = {
    redisUrl: redisUrl(),
    prefix,
    retention: {
      maxRuns: options.maxRuns ?? 1000,
      maxAgeMs: options.maxAgeMs ?? 7 * 86_400_000,
      occurrencesPerSchedule: options.occurrencesPerSchedule,
    },
    heartbeatMs: 500,
  };
  const engine = createEngine(base);
  const workers: WorkerHandle[] = [];
  return {
    prefix,
    engine,
    async startWorker(flows, workerOptions = {}) {
      const worker = await startWorker({
        ...base,
        flows,
        concurrency: workerOptions.concurrency ?? 10,
        shutdownGraceMs: workerOptions.shutdownGraceMs ?? 10_000,
        checkIntervalMs: workerOptions.checkIntervalMs,
        unstartedRunGraceMs: workerOptions.unstartedRunGraceMs,
      });
      workers.push(worker);
      return worker;
    },
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await engine.close();
    },
  };
}

/** Polls the run until `done` holds (default: a terminal status). */
export async function waitForRun(
  engine: Engine,
  flow: string,
  runId: string,
  done: (run: Run) => boolean = (run) => ['completed', 'failed', 'canceled'].includes(run.status),
  timeoutMs = 30_000,
): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await engine.runs.get(flow, runId);
    if (done(run)) return run;
    if (Date.now() > deadline)
      throw new Error(`run ${runId} did not get there in time; last status ${run.status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The run a "run now" fire started: the trigger answers at once with the fire queued, and the
 * schedule's history names the run once a worker has handled the fire.
 */
export async function runOfFire(
  engine: Engine,
  flow: string,
  scheduleId: string,
  scheduledFor: number,
): Promise<string> {
  const runOf = (detail: { recent: { items: { scheduledFor: number; runId?: string }[] } }) =>
    detail.recent.items.find((o) => o.scheduledFor === scheduledFor)?.runId;
  const detail = await until(
    () => engine.schedules.get(flow, scheduleId),
    (d) => runOf(d) !== undefined,
    30_000,
  );
  return runOf(detail)!;
}

/** Probes until `ok` holds, or fails with the last value after `timeoutMs`. */
export async function until<T>(
  probe: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met in ${timeoutMs} ms; last value ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
