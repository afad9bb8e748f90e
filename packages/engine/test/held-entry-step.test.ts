import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngineParts } from '../src/engine.ts';
import { defineFlow } from '../src/flow.ts';
import { MARKER_JOB_NAME } from '../src/jobs.ts';
import { redisUrl, runOfFire, type TestStack, testStack, waitForRun } from './helpers.ts';

/**
 * A schedule's marker job runs the new run's first entry step itself, so a fire costs one
 * BullMQ job instead of two. These tests pin down what that must not change: retries, attempt
 * numbers, and recovery when the worker dies inside the step.
 */

let stack: TestStack;
afterEach(async () => {
  await stack.close();
});

const twoSteps = (handlerA: () => unknown) =>
  defineFlow({
    name: 'held',
    description: 'an entry step and one after it',
    steps: {
      a: { handler: handlerA, retry: { attempts: 3, backoff: { type: 'fixed', delayMs: 100 } } },
      b: { needs: ['a'], handler: () => 'b' },
    },
  });

/** Job ids BullMQ reported as added to the flow's queue, from its events stream. */
async function addedJobIds(prefix: string): Promise<string[]> {
  const client = new Redis(redisUrl());
  try {
    const entries = await client.xrange(`{${prefix}:held}:held:events`, '-', '+');
    return entries
      .map(([, fields]) =>
        Object.fromEntries(fields.flatMap((_, i) => (i % 2 ? [] : [[fields[i], fields[i + 1]]]))),
      )
      .filter((e) => e.event === 'added')
      .map((e) => String(e.jobId));
  } finally {
    client.disconnect();
  }
}

describe('the entry step of a scheduled run', () => {
  it('runs inside the marker job: the fire adds no step job for it, only for the step after it', async () => {
    stack = testStack();
    await stack.startWorker([twoSteps(() => 'a')]);
    const { schedule } = await stack.engine.schedules.create('held', { cron: '0 0 1 1 *' });
    const occurrence = await stack.engine.schedules.trigger('held', schedule.id);
    const runId = await runOfFire(stack.engine, 'held', schedule.id, occurrence.scheduledFor);
    const run = await waitForRun(stack.engine, 'held', runId);
    expect(run.status).toBe('completed');
    expect(run.steps.map((s) => [s.name, s.status, s.attempts])).toEqual([
      ['a', 'completed', 1],
      ['b', 'completed', 1],
    ]);
    const added = await addedJobIds(stack.prefix);
    expect(added).toContain(`${run.id}.b`);
    expect(added).not.toContain(`${run.id}.a`);
  });

  it('that fails once is retried as a step job: attempt 2 completes the run and the events number both', async () => {
    stack = testStack();
    let calls = 0;
    await stack.startWorker([
      twoSteps(() => {
        calls += 1;
        if (calls === 1) throw new Error('flaky once');
        return 'a';
      }),
    ]);
    const { schedule } = await stack.engine.schedules.create('held', { cron: '0 0 1 1 *' });
    const occurrence = await stack.engine.schedules.trigger('held', schedule.id);
    const runId = await runOfFire(stack.engine, 'held', schedule.id, occurrence.scheduledFor);
    const run = await waitForRun(stack.engine, 'held', runId);
    expect(run.status).toBe('completed');
    expect(run.steps[0]).toMatchObject({ name: 'a', status: 'completed', attempts: 2 });
    const events = (await stack.engine.events.list('held', run.id)).filter((e) => e.step === 'a');
    expect(events.map((e) => [e.type, e.attempt])).toEqual([
      ['step.started', 1],
      ['step.retry', 1],
      ['step.started', 2],
      ['step.completed', 2],
    ]);
  });

  it('whose worker died mid-step is run again when the marker is delivered again', async () => {
    stack = testStack();
    await stack.startWorker([twoSteps(() => 'a')]);
    const { schedule } = await stack.engine.schedules.create('held', { cron: '0 0 1 1 *' });
    const planned = 1_900_000_000_000;
    const jobId = `repeat:${schedule.id}:${planned}`;
    // What a worker that died inside the held step leaves: the run created with its entry step
    // marked started, the fire recorded, and no step job.
    const parts = createEngineParts({
      redisUrl: redisUrl(),
      prefix: stack.prefix,
      retention: { maxRuns: 1000, maxAgeMs: 86_400_000 },
      heartbeatMs: 500,
    });
    const died = await parts.schedules.fire(
      { id: jobId, timestamp: planned } as never,
      { __scheduledFlowStart: true, __flowName: 'held', __scheduleId: schedule.id },
      { holdEntryStep: true },
    );
    expect(died).toMatchObject({ outcome: 'started', held: { step: 'a' } });
    const runId = (died as { runId: string }).runId;
    expect((await stack.engine.runs.get('held', runId)).steps[0]).toMatchObject({ status: 'running' });

    // BullMQ hands the stalled marker to a worker again.
    const queue = new Queue('held', { connection: { url: redisUrl() }, prefix: `{${stack.prefix}:held}` });
    await queue.add(
      MARKER_JOB_NAME,
      { __scheduledFlowStart: true, __flowName: 'held', __scheduleId: schedule.id },
      { jobId },
    );
    await queue.close();
    const run = await waitForRun(stack.engine, 'held', runId);
    await parts.queues.close();
    await parts.ctx.redis.quit();
    expect(run.status).toBe('completed');
    expect((await stack.engine.runs.list('held', { limit: 10 })).items).toHaveLength(1);
    const detail = await stack.engine.schedules.get('held', schedule.id);
    expect(detail.recent.items).toHaveLength(1);
    expect(detail.recent.items[0]).toMatchObject({ outcome: 'started', runId });
  });
});
