import { afterEach, describe, expect, it } from 'vitest';
import { defineFlow } from '../src/flow.ts';
import { type TestStack, testStack, waitForRun } from './helpers.ts';

/**
 * A new run's only entry step starts without reading its run, and a quick one has its start
 * recorded with its completion (see step-runner.ts). What the run records must not show it.
 */

let stack: TestStack;
afterEach(async () => {
  await stack.close();
});

const types = async (flow: string, runId: string) =>
  (await stack.engine.events.list(flow, runId)).map((e) => [e.type, e.step, e.attempt]);

describe("a new run's first step", () => {
  it('that is quick is recorded started, then completed, with its times and input', async () => {
    stack = testStack();
    const seen: unknown[] = [];
    const quick = defineFlow({
      name: 'quick',
      description: '',
      steps: { only: { handler: (ctx) => seen.push(ctx.input) } },
    });
    await stack.startWorker([quick]);
    const { runId } = await stack.engine.startFlow('quick', { n: 7 }, { trigger: { type: 'api' } });
    const run = await waitForRun(stack.engine, 'quick', runId);
    expect(seen).toEqual([{ n: 7 }]);
    expect(run).toMatchObject({
      status: 'completed',
      steps: [{ name: 'only', status: 'completed', attempts: 1 }],
    });
    expect(run.startedAt).toBe(run.steps[0]!.startedAt);
    expect(run.steps[0]!.startedAt!).toBeLessThanOrEqual(run.steps[0]!.finishedAt!);
    expect(await types('quick', runId)).toEqual([
      ['run.started', undefined, undefined],
      ['step.started', 'only', 1],
      ['step.completed', 'only', 1],
      ['run.completed', undefined, undefined],
    ]);
  });

  it('that is quick and logs records its start before its log lines', async () => {
    stack = testStack();
    const chatty = defineFlow({
      name: 'chatty',
      description: '',
      steps: {
        only: {
          handler: (ctx) => {
            ctx.log('info', 'one');
            ctx.log('info', 'two');
            return 'done';
          },
        },
      },
    });
    await stack.startWorker([chatty]);
    const { runId } = await stack.engine.startFlow('chatty', {}, { trigger: { type: 'api' } });
    await waitForRun(stack.engine, 'chatty', runId);
    const events = await stack.engine.events.list('chatty', runId);
    expect(events.map((e) => e.message ?? e.type)).toEqual([
      'run.started',
      'step.started',
      'one',
      'two',
      'step.completed',
      'run.completed',
    ]);
  });

  it('that takes a while shows the run and the step running until it ends', async () => {
    stack = testStack();
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = defineFlow({
      name: 'slow',
      description: '',
      steps: { wait: { handler: () => released.then(() => 'done') } },
    });
    await stack.startWorker([slow]);
    const { runId } = await stack.engine.startFlow('slow', {}, { trigger: { type: 'api' } });
    const running = await waitForRun(stack.engine, 'slow', runId, (run) => run.status === 'running');
    expect(running.steps[0]).toMatchObject({ status: 'running', attempts: 1, finishedAt: null });
    release();
    const done = await waitForRun(stack.engine, 'slow', runId);
    expect(done.status).toBe('completed');
    expect(done.steps[0]!.startedAt).toBe(running.steps[0]!.startedAt);
    expect((await types('slow', runId)).map(([type]) => type)).toEqual([
      'run.started',
      'step.started',
      'step.completed',
      'run.completed',
    ]);
  });

  it('that fails at once is recorded started, then failed, and its retry reads the run', async () => {
    stack = testStack();
    let calls = 0;
    const flaky = defineFlow({
      name: 'flaky',
      description: '',
      steps: {
        only: {
          retry: { attempts: 2, backoff: { type: 'fixed', delayMs: 10 } },
          handler: () => {
            calls++;
            if (calls === 1) throw new Error('first try fails');
            return 'ok';
          },
        },
      },
    });
    await stack.startWorker([flaky]);
    const { runId } = await stack.engine.startFlow('flaky', {}, { trigger: { type: 'api' } });
    const run = await waitForRun(stack.engine, 'flaky', runId);
    expect(run).toMatchObject({ status: 'completed', steps: [{ status: 'completed', attempts: 2 }] });
    expect(await types('flaky', runId)).toEqual([
      ['run.started', undefined, undefined],
      ['step.started', 'only', 1],
      ['step.retry', 'only', 1],
      ['step.started', 'only', 2],
      ['step.completed', 'only', 2],
      ['run.completed', undefined, undefined],
    ]);
  });
});
