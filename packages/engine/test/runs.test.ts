import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEngineParts } from '../src/engine.ts';
import { FlowdeckError } from '../src/errors.ts';
import { defineFlow } from '../src/flow.ts';
import { createKeys } from '../src/keys.ts';
import { redisUrl, type TestStack, testStack, waitForRun } from './helpers.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function diamond(calls: string[] = []) {
  const step = (name: string, ms: number) => async () => {
    calls.push(name);
    await sleep(ms);
    return { from: name };
  };
  return defineFlow({
    name: 'diamond',
    description: 'fan-out then fan-in',
    input: z.object({ n: z.number().int().min(1).optional() }),
    steps: {
      first: { handler: step('first', 50) },
      left: { needs: ['first'], handler: step('left', 300) },
      right: { needs: ['first'], handler: step('right', 300) },
      last: { needs: ['left', 'right'], handler: step('last', 20) },
    },
  });
}

let stack: TestStack;
afterEach(async () => {
  await stack.close();
});

describe('runs', () => {
  it('a fan-out/fan-in run completes once, with parallel steps overlapping and the sink output as the run output', async () => {
    stack = testStack();
    const calls: string[] = [];
    await stack.startWorker([diamond(calls)]);
    const { runId, created } = await stack.engine.startFlow('diamond', {}, { trigger: { type: 'api' } });
    expect(created).toBe(true);
    const run = await waitForRun(stack.engine, 'diamond', runId);

    expect(run.status).toBe('completed');
    expect(run.steps.map((s) => [s.name, s.status, s.attempts])).toEqual([
      ['first', 'completed', 1],
      ['left', 'completed', 1],
      ['right', 'completed', 1],
      ['last', 'completed', 1],
    ]);
    const [first, left, right, last] = run.steps;
    expect(left!.startedAt!).toBeGreaterThanOrEqual(first!.finishedAt!);
    expect(left!.startedAt!).toBeLessThan(right!.finishedAt!);
    expect(right!.startedAt!).toBeLessThan(left!.finishedAt!);
    expect(last!.startedAt!).toBeGreaterThanOrEqual(Math.max(left!.finishedAt!, right!.finishedAt!));
    expect(calls.filter((c) => c === 'last')).toHaveLength(1);
    expect(run.output).toEqual({ last: { from: 'last' } });

    const types = (await stack.engine.events.list('diamond', runId)).map((e) => e.type);
    expect(types[0]).toBe('run.started');
    expect(types.at(-1)).toBe('run.completed');
    expect(types.filter((t) => t === 'step.completed')).toHaveLength(4);
  });

  it('a failing step is retried with backoff and the run completes when an attempt succeeds', async () => {
    stack = testStack();
    const flow = defineFlow({
      name: 'retrying',
      description: '',
      steps: {
        shaky: {
          retry: { attempts: 3, backoff: { type: 'fixed', delayMs: 50 } },
          handler: ({ attempt }) => {
            if (attempt < 3) throw new Error(`boom ${attempt}`);
            return attempt;
          },
        },
      },
    });
    await stack.startWorker([flow]);
    const { runId } = await stack.engine.startFlow('retrying', {}, { trigger: { type: 'api' } });
    const run = await waitForRun(stack.engine, 'retrying', runId);
    expect(run.status).toBe('completed');
    expect(run.steps[0]).toMatchObject({ status: 'completed', attempts: 3, output: 3, error: null });
    const retries = (await stack.engine.events.list('retrying', runId)).filter(
      (e) => e.type === 'step.retry',
    );
    expect(retries.map((e) => e.error?.message)).toEqual(['boom 1', 'boom 2']);
  });

  it('a step failing after its last attempt fails the run and its dependants never start', async () => {
    stack = testStack();
    const started: string[] = [];
    const flow = defineFlow({
      name: 'doomed',
      description: '',
      steps: {
        bad: {
          retry: { attempts: 2, backoff: { type: 'fixed', delayMs: 10 } },
          handler: () => {
            throw new Error('no way');
          },
        },
        after: { needs: ['bad'], handler: () => started.push('after') },
      },
    });
    await stack.startWorker([flow]);
    const { runId } = await stack.engine.startFlow('doomed', {}, { trigger: { type: 'api' } });
    const run = await waitForRun(stack.engine, 'doomed', runId);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ message: 'no way', step: 'bad' });
    expect(run.steps.map((s) => [s.name, s.status, s.attempts])).toEqual([
      ['bad', 'failed', 2],
      ['after', 'skipped', 0],
    ]);
    expect(started).toEqual([]);
  });

  it('a step that runs past its timeout fails with a timeout error and sees its signal aborted', async () => {
    stack = testStack();
    let aborted = false;
    const flow = defineFlow({
      name: 'slowpoke',
      description: '',
      steps: {
        slow: {
          timeoutMs: 200,
          handler: async ({ signal }) => {
            signal.addEventListener('abort', () => {
              aborted = true;
            });
            await sleep(2000);
          },
        },
      },
    });
    await stack.startWorker([flow]);
    const { runId } = await stack.engine.startFlow('slowpoke', {}, { trigger: { type: 'api' } });
    const run = await waitForRun(stack.engine, 'slowpoke', runId);
    expect(run.status).toBe('failed');
    expect(run.steps[0]?.error).toMatchObject({
      name: 'StepTimeoutError',
      message: 'step timed out after 200 ms',
    });
    expect(aborted).toBe(true);
  });

  it('startFlow twice with one idempotency key creates one run', async () => {
    stack = testStack();
    const calls: string[] = [];
    await stack.startWorker([diamond(calls)]);
    const options = { trigger: { type: 'api' as const }, idempotencyKey: 'order-42' };
    const [a, b] = await Promise.all([
      stack.engine.startFlow('diamond', {}, options),
      stack.engine.startFlow('diamond', {}, options),
    ]);
    expect(a.runId).toBe(b.runId);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    await waitForRun(stack.engine, 'diamond', a.runId);
    const again = await stack.engine.startFlow('diamond', {}, options);
    expect(again).toMatchObject({ runId: a.runId, created: false, status: 'completed' });
    expect((await stack.engine.runs.list('diamond', { limit: 50 })).items).toHaveLength(1);
    expect(calls.filter((c) => c === 'first')).toHaveLength(1);
  });

  it("a scheduled run's id and planned time are stored as fields of their own, keeping a small record a listpack", async () => {
    stack = testStack();
    const tick = defineFlow({
      name: 'tick',
      description: 'one no-op step',
      steps: { noop: { handler: () => null } },
    });
    await stack.startWorker([tick]);
    const trigger = {
      type: 'schedule' as const,
      scheduleId: 'sch_0123456789abcdefgh',
      scheduledFor: 1_790_000_000_000,
    };
    const { runId } = await stack.engine.startFlow('tick', {}, { trigger });
    const run = await waitForRun(stack.engine, 'tick', runId);
    expect(run.trigger).toEqual(trigger);
    const redis = new Redis(redisUrl());
    try {
      const key = createKeys(stack.prefix).run('tick', runId);
      // As one JSON value the trigger is over 64 bytes, which turns the whole hash into a hashtable.
      expect(JSON.stringify(trigger).length).toBeGreaterThan(64);
      expect(await redis.object('ENCODING', key)).toBe('listpack');
      expect(await redis.hmget(key, 'trigger', 'scheduleId', 'scheduledFor')).toEqual([
        JSON.stringify({ type: 'schedule' }),
        trigger.scheduleId,
        String(trigger.scheduledFor),
      ]);
      expect((await stack.engine.runs.list('tick', { limit: 5 })).items[0]?.trigger).toEqual(trigger);
    } finally {
      await redis.quit();
    }
  });

  it('a step job delivered again after its step completed does not run the handler twice', async () => {
    stack = testStack();
    const calls: string[] = [];
    await stack.startWorker([diamond(calls)]);
    const { runId } = await stack.engine.startFlow('diamond', {}, { trigger: { type: 'api' } });
    await waitForRun(stack.engine, 'diamond', runId);
    const queue = new Queue('diamond', {
      connection: { url: process.env.REDIS_URL },
      prefix: `{${stack.prefix}:diamond}`,
    });
    const job = await queue.add(
      'step',
      { kind: 'step', runId, step: 'left' },
      { jobId: `${runId}.left.again` },
    );
    while (!['completed', 'failed'].includes(await job.getState())) await sleep(50);
    await queue.close();
    expect(calls.filter((c) => c === 'left')).toHaveLength(1);
    expect((await stack.engine.runs.get('diamond', runId)).status).toBe('completed');
  });

  it('a start after a worker published a new input schema checks the input against the new one', async () => {
    stack = testStack();
    const versioned = (input: z.ZodType) =>
      defineFlow({ name: 'versioned', description: 'v', input, steps: { only: { handler: () => 1 } } });
    const first = await stack.startWorker([versioned(z.object({ n: z.number().optional() }))]);
    const ok = await stack.engine.startFlow('versioned', {}, { trigger: { type: 'api' } });
    expect(ok.created).toBe(true);
    await first.close();
    // The API process still holds the first manifest; the new worker requires `n`.
    await stack.startWorker([versioned(z.object({ n: z.number() }))]);
    const refused = await stack.engine
      .startFlow('versioned', {}, { trigger: { type: 'api' } })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 422, code: 'input_invalid', errors: [{ path: 'input.n' }] });
    const accepted = await stack.engine.startFlow('versioned', { n: 1 }, { trigger: { type: 'api' } });
    expect(accepted.created).toBe(true);
  });

  it('a run recorded by a process that died before enqueueing its steps is started by a worker check', async () => {
    stack = testStack();
    await stack.startWorker([diamond()], { checkIntervalMs: 500, unstartedRunGraceMs: 300 });
    const parts = createEngineParts({
      redisUrl: redisUrl(),
      prefix: stack.prefix,
      retention: { maxRuns: 1000, maxAgeMs: 86_400_000 },
      heartbeatMs: 500,
    });
    // The create script ran, the enqueue never did (an API killed in between).
    const created = await parts.runs.create({
      flowName: 'diamond',
      input: {},
      trigger: { type: 'api' },
      steps: diamond().manifest.steps.map(({ name, needs }) => ({ name, needs })),
    });
    if (created.stale || created.refused) throw new Error('unexpected stale manifest or refused check');
    const normal = await stack.engine.startFlow('diamond', {}, { trigger: { type: 'api' } });
    const [lost, started] = await Promise.all([
      waitForRun(stack.engine, 'diamond', created.runId),
      waitForRun(stack.engine, 'diamond', normal.runId),
    ]);
    expect(lost.status).toBe('completed');
    expect(started.status).toBe('completed');
    expect(lost.steps.map((step) => step.attempts)).toEqual([1, 1, 1, 1]);
    const client = new Redis(redisUrl());
    expect(await client.zcard(`{${stack.prefix}:diamond}:unstarted`)).toBe(0);
    client.disconnect();
    await parts.queues.close();
    await parts.ctx.redis.quit();
  });

  it('input that breaks the flow schema is refused with 422 naming the field, and nothing is created', async () => {
    stack = testStack();
    await stack.startWorker([diamond()]);
    const refused = await stack.engine
      .startFlow('diamond', { n: 0 }, { trigger: { type: 'api' } })
      .catch((e) => e);
    expect(refused).toBeInstanceOf(FlowdeckError);
    expect(refused).toMatchObject({ status: 422, code: 'input_invalid', errors: [{ path: 'input.n' }] });
    expect((await stack.engine.runs.list('diamond', { limit: 10 })).items).toEqual([]);
  });

  it('an unknown flow or run is a 404 with a stable code', async () => {
    stack = testStack();
    await stack.startWorker([diamond()]);
    await expect(stack.engine.startFlow('nope', {}, { trigger: { type: 'api' } })).rejects.toMatchObject({
      status: 404,
      code: 'flow_not_found',
    });
    await expect(stack.engine.runs.get('diamond', '0000000000000000000')).rejects.toMatchObject({
      status: 404,
      code: 'run_not_found',
    });
  });

  it('lists runs newest first, pages with a cursor and filters by status', async () => {
    stack = testStack();
    const flow = defineFlow({
      name: 'quick',
      description: '',
      input: z.object({ fail: z.boolean().optional() }),
      steps: {
        only: {
          handler: ({ input }) => {
            if (input.fail) throw new Error('asked to fail');
          },
        },
      },
    });
    await stack.startWorker([flow]);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { runId } = await stack.engine.startFlow(
        'quick',
        { fail: i % 2 === 0 },
        { trigger: { type: 'api' } },
      );
      ids.push(runId);
      await waitForRun(stack.engine, 'quick', runId);
    }
    const page1 = await stack.engine.runs.list('quick', { limit: 2 });
    expect(page1.items.map((r) => r.id)).toEqual([ids[4], ids[3]]);
    const page2 = await stack.engine.runs.list('quick', { limit: 2, cursor: page1.nextCursor! });
    expect(page2.items.map((r) => r.id)).toEqual([ids[2], ids[1]]);
    const page3 = await stack.engine.runs.list('quick', { limit: 2, cursor: page2.nextCursor! });
    expect(page3.items.map((r) => r.id)).toEqual([ids[0]]);
    expect(page3.nextCursor).toBeNull();
    const failed = await stack.engine.runs.list('quick', { limit: 50, status: 'failed' });
    expect(failed.items.map((r) => r.id)).toEqual([ids[4], ids[2], ids[0]]);
    expect(failed.items[0]?.steps).toEqual({ total: 1, completed: 0, failed: 1, running: 0 });
  });

  it('keeps at most the configured number of runs per flow, deleting the oldest with their events', async () => {
    stack = testStack({ maxRuns: 3 });
    await stack.startWorker([
      defineFlow({ name: 'tiny', description: '', steps: { only: { handler: () => 1 } } }),
    ]);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await stack.engine.startFlow('tiny', {}, { trigger: { type: 'api' } })).runId);
    }
    const kept = (await stack.engine.runs.list('tiny', { limit: 50 })).items.map((r) => r.id);
    expect(kept).toEqual([ids[4], ids[3], ids[2]]);
    await expect(stack.engine.runs.get('tiny', ids[0]!)).rejects.toMatchObject({ code: 'run_not_found' });
    expect(await stack.engine.events.list('tiny', ids[0]!)).toEqual([]);
  });

  it('following a run yields the stored events, then live ones, and ends with run.completed', async () => {
    stack = testStack();
    await stack.startWorker([diamond()]);
    const { runId } = await stack.engine.startFlow('diamond', {}, { trigger: { type: 'api' } });
    const seen: string[] = [];
    for await (const event of stack.engine.events.follow('diamond', runId, {
      signal: AbortSignal.timeout(20_000),
    })) {
      seen.push(event.type);
    }
    expect(seen[0]).toBe('run.started');
    expect(seen.at(-1)).toBe('run.completed');
    expect(seen.filter((t) => t === 'step.started')).toHaveLength(4);
  });

  it('following a run that already ended yields its stored events and ends without waiting', async () => {
    stack = testStack();
    await stack.startWorker([diamond()]);
    const { runId } = await stack.engine.startFlow('diamond', {}, { trigger: { type: 'api' } });
    await waitForRun(stack.engine, 'diamond', runId);
    const stored = await stack.engine.events.list('diamond', runId);
    const middle = stored[3]!.id;
    const seen: string[] = [];
    for await (const event of stack.engine.events.follow('diamond', runId, {
      after: middle,
      signal: AbortSignal.timeout(20_000),
    })) {
      seen.push(event.id);
    }
    expect(seen).toEqual(stored.slice(4).map((e) => e.id));
  });

  it('closing a worker mid-step lets the running step finish and record its result', async () => {
    stack = testStack();
    const flow = defineFlow({
      name: 'long',
      description: '',
      steps: {
        one: {
          handler: async () => {
            await sleep(700);
            return 'done';
          },
        },
      },
    });
    const worker = await stack.startWorker([flow]);
    const { runId } = await stack.engine.startFlow('long', {}, { trigger: { type: 'api' } });
    await waitForRun(stack.engine, 'long', runId, (run) => run.steps[0]?.status === 'running');
    await worker.close();
    const run = await stack.engine.runs.get('long', runId);
    expect(run.status).toBe('completed');
    expect(run.steps[0]).toMatchObject({ status: 'completed', output: 'done' });
  });
});
