import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createEngine, type Engine, startWorker, type WorkerHandle } from '@flowdeck/engine';
import type { Run } from '@flowdeck/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleFlows } from '../src/index.ts';

const redisUrl = () => {
  if (!process.env.REDIS_URL) throw new Error('REDIS_URL is not set: run the tests through npm test');
  return process.env.REDIS_URL;
};

const settings = () => ({
  redisUrl: redisUrl(),
  prefix: `t${randomBytes(4).toString('hex')}`,
  retention: { maxRuns: 1000, maxAgeMs: 86_400_000 },
  heartbeatMs: 500,
});

async function waitFor(
  engine: Engine,
  flow: string,
  runId: string,
  done: (run: Run) => boolean,
  timeoutMs = 30_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await engine.runs.get(flow, runId);
    if (done(run)) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} stayed ${run.status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
const finished = (run: Run) => run.status === 'completed' || run.status === 'failed';

describe('the example flows on a real worker', () => {
  const config = settings();
  let engine: Engine;
  let worker: WorkerHandle;
  beforeAll(async () => {
    engine = createEngine(config);
    worker = await startWorker({ ...config, flows: exampleFlows, concurrency: 10, shutdownGraceMs: 10_000 });
  });
  afterAll(async () => {
    await worker.close();
    await engine.close();
  });

  it('example-flow completes with its four steps tracked in order and transform/audit overlapping', async () => {
    const { runId } = await engine.startFlow('example-flow', {}, { trigger: { type: 'api' } });
    const run = await waitFor(engine, 'example-flow', runId, finished);
    expect(run.status).toBe('completed');
    expect(run.steps.map((s) => [s.name, s.status])).toEqual([
      ['fetch', 'completed'],
      ['transform', 'completed'],
      ['audit', 'completed'],
      ['store', 'completed'],
    ]);
    const step = Object.fromEntries(run.steps.map((s) => [s.name, s]));
    expect(step.transform!.startedAt!).toBeGreaterThanOrEqual(step.fetch!.finishedAt!);
    expect(step.transform!.startedAt!).toBeLessThan(step.audit!.finishedAt!);
    expect(step.audit!.startedAt!).toBeLessThan(step.transform!.finishedAt!);
    expect(step.store!.startedAt!).toBeGreaterThanOrEqual(
      Math.max(step.transform!.finishedAt!, step.audit!.finishedAt!),
    );
    expect(run.output).toEqual({ store: { stored: 3 } });
    const logs = (await engine.events.list('example-flow', runId)).filter((e) => e.type === 'step.log');
    expect(logs.map((e) => e.step)).toEqual(expect.arrayContaining(['fetch', 'transform', 'audit', 'store']));
  });

  it('flaky-flow retries its unreliable step and completes on the third attempt', async () => {
    const { runId } = await engine.startFlow('flaky-flow', {}, { trigger: { type: 'api' } });
    const run = await waitFor(engine, 'flaky-flow', runId, finished);
    expect(run.status).toBe('completed');
    expect(run.steps.find((s) => s.name === 'unreliable')).toMatchObject({
      status: 'completed',
      attempts: 3,
    });
  });

  it('flaky-flow with failForGood ends failed and its store step never starts', async () => {
    const { runId } = await engine.startFlow(
      'flaky-flow',
      { failForGood: true },
      { trigger: { type: 'api' } },
    );
    const run = await waitFor(engine, 'flaky-flow', runId, finished);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({
      step: 'unreliable',
      message: 'the remote service refused the request',
    });
    expect(run.steps.find((s) => s.name === 'store')).toMatchObject({
      status: 'skipped',
      attempts: 0,
      startedAt: null,
    });
  });

  it('cleanup-flow refuses a retentionDays outside 1..365 before any run is created', async () => {
    await expect(
      engine.startFlow('cleanup-flow', { retentionDays: 400 }, { trigger: { type: 'api' } }),
    ).rejects.toMatchObject({
      status: 422,
      errors: [{ path: 'input.retentionDays' }],
    });
  });
});

describe('the worker process', () => {
  it('on SIGTERM mid-step lets the running step finish, then exits 0', async () => {
    const config = settings();
    const engine = createEngine(config);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: {
        ...process.env,
        REDIS_URL: config.redisUrl,
        FLOWDECK_PREFIX: config.prefix,
        FLOWDECK_HEARTBEAT_MS: '500',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 30_000;
      while (!(await engine.flows.list()).some((f) => f.name === 'example-flow' && f.live)) {
        if (Date.now() > deadline) throw new Error('the worker did not register its flows');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const { runId } = await engine.startFlow('example-flow', {}, { trigger: { type: 'api' } });
      await waitFor(engine, 'example-flow', runId, (run) => run.steps[0]?.status === 'running');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const run = await engine.runs.get('example-flow', runId);
      expect(run.steps[0]).toMatchObject({ name: 'fetch', status: 'completed' });
    } finally {
      child.kill('SIGKILL');
      await engine.close();
    }
  });
});
