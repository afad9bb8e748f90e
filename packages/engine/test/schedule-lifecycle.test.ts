import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngineParts } from '../src/engine.ts';
import { defineFlow } from '../src/flow.ts';
import { MARKER_JOB_NAME } from '../src/jobs.ts';
import { createScheduleStore } from '../src/schedules/store.ts';
import { redisUrl, type TestStack, testStack, until } from './helpers.ts';

/**
 * A schedule's life at its edges: its start and end dates, a pause under load, a claimed jobId,
 * a deleted schedule's late fire, and the search for one-time triggers nothing owns.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function quick(name = 'edges', stepMs = 5) {
  return defineFlow({
    name,
    description: 'one quick step',
    steps: { only: { handler: () => sleep(stepMs).then(() => 'done') } },
  });
}

let stack: TestStack;
const opened: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((o) => o.close()));
  await stack.close();
});

function queueOf(flow: string) {
  const queue = new Queue(flow, { connection: { url: redisUrl() }, prefix: `{${stack.prefix}:${flow}}` });
  opened.push(queue);
  return queue;
}

const historyOf = async (flow: string, id: string) =>
  (await stack.engine.schedules.get(flow, id)).recent.items;

describe('a recurring schedule with an end date', () => {
  for (const timing of [{ cron: '* * * * * *' }, { every: 1000 }]) {
    it(`(${Object.keys(timing)[0]}) starts no fire after its end date and loses its job scheduler when it ends`, async () => {
      stack = testStack();
      await stack.startWorker([quick()]);
      const endDate = Date.now() + 2500;
      const { schedule } = await stack.engine.schedules.create('edges', {
        ...timing,
        endDate: new Date(endDate).toISOString(),
      });
      const queue = queueOf('edges');
      // The last fire inside the window removes it: a worker's start-up reconcile, the only other
      // thing that removes a job scheduler, does not run here.
      await until(
        () => queue.getJobScheduler(schedule.id),
        (scheduler) => !scheduler,
        15_000,
      );
      expect(await stack.engine.schedules.get('edges', schedule.id)).toMatchObject({ status: 'completed' });
      await sleep(1500); // past the fire BullMQ plans after the end date
      const history = await historyOf('edges', schedule.id);
      expect(history.length).toBeGreaterThanOrEqual(1);
      expect(history.every((o) => o.scheduledFor <= endDate)).toBe(true);
      const runs = (await stack.engine.runs.list('edges', { limit: 50 })).items;
      expect(runs.every((r) => r.trigger.scheduledFor! <= endDate)).toBe(true);
      expect(runs).toHaveLength(history.length);
    });
  }

  it('starts nothing for a fire BullMQ delivers after the end date', async () => {
    stack = testStack();
    await stack.startWorker([quick()]);
    const endDate = Date.now() + 60_000;
    const { schedule } = await stack.engine.schedules.create('edges', {
      cron: '0 0 1 1 *',
      endDate: new Date(endDate).toISOString(),
    });
    const queue = queueOf('edges');
    // The job BullMQ plans one interval past the end (it checks the end date against "now" only).
    const late = endDate + 1000;
    const marker = { __scheduledFlowStart: true, __flowName: 'edges', __scheduleId: schedule.id };
    const job = await queue.add(MARKER_JOB_NAME, marker, { jobId: `repeat:${schedule.id}:${late}` });
    await until(
      () => job.getState(),
      (state) => state === 'completed',
    );
    expect(await historyOf('edges', schedule.id)).toEqual([]);
    expect((await stack.engine.runs.list('edges', { limit: 10 })).items).toEqual([]);
  });

  it('starts no fire before its start date', async () => {
    stack = testStack();
    await stack.startWorker([quick()]);
    const startDate = Date.now() + 2000;
    const { schedule } = await stack.engine.schedules.create('edges', {
      cron: '* * * * * *',
      startDate: new Date(startDate).toISOString(),
    });
    const history = await until(
      () => historyOf('edges', schedule.id),
      (h) => h.length >= 2,
    );
    expect(history.every((o) => o.scheduledFor >= startDate)).toBe(true);
  });
});

describe('pausing a schedule', () => {
  it('leaves every fire planned before the pause with exactly one occurrence, even under load', async () => {
    stack = testStack();
    // One slow worker slot for 15 schedules firing every second: fires pile up in the queue.
    await stack.startWorker([quick('busy', 150)], { concurrency: 1 });
    const created = await Promise.all(
      Array.from({ length: 15 }, () => stack.engine.schedules.create('busy', { cron: '* * * * * *' })),
    );
    await sleep(3500);
    const pausedAt = new Map<string, number>();
    for (const { schedule } of created) {
      const paused = await stack.engine.schedules.pause('busy', schedule.id, 'load test');
      pausedAt.set(schedule.id, paused.updatedAt);
    }
    const queue = queueOf('busy');
    await until(
      () => queue.getJobCounts('waiting', 'active', 'delayed'),
      (c) => Object.values(c).every((n) => n === 0),
      60_000,
    );
    for (const { schedule } of created) {
      const history = (
        await stack.engine.schedules.get('busy', schedule.id, { cursor: undefined })
      ).recent.items.filter((o) => !o.manual);
      const planned: number[] = [];
      for (
        let t = Math.ceil((schedule.createdAt + 1) / 1000) * 1000;
        t <= pausedAt.get(schedule.id)!;
        t += 1000
      ) {
        planned.push(t);
      }
      const recorded = history.map((o) => o.scheduledFor).sort((a, b) => a - b);
      expect(recorded).toEqual(planned);
      // The one slot is overloaded: fires behind a newer one are shed (see the test below).
      const outcomes = ['started', 'skipped-paused', 'missed-overload'];
      expect(history.every((o) => outcomes.includes(o.outcome))).toBe(true);
    }
  });
});

describe('a worker that cannot keep up', () => {
  it('records fires that are behind a newer one as missed-overload instead of falling further behind', async () => {
    stack = testStack();
    // 10 schedules firing every second on one slot whose step takes 300 ms: 3 s of work a second.
    await stack.startWorker([quick('busy', 300)], { concurrency: 1 });
    const created = await Promise.all(
      Array.from({ length: 10 }, () => stack.engine.schedules.create('busy', { cron: '* * * * * *' })),
    );
    await sleep(6000);
    for (const { schedule } of created) await stack.engine.schedules.pause('busy', schedule.id);
    const queue = queueOf('busy');
    await until(
      () => queue.getJobCounts('waiting', 'active', 'delayed'),
      (c) => Object.values(c).every((n) => n === 0),
      60_000,
    );
    const firstPlanned = Math.ceil((Math.max(...created.map((c) => c.schedule.createdAt)) + 1) / 1000) * 1000;
    const occurrences = [];
    for (const { schedule } of created) {
      const { items } = (await stack.engine.schedules.get('busy', schedule.id)).recent;
      const planned = items.map((o) => o.scheduledFor);
      expect(new Set(planned).size).toBe(planned.length);
      occurrences.push(...items.filter((o) => o.scheduledFor >= firstPlanned));
    }
    const shed = occurrences.filter((o) => o.outcome === 'missed-overload');
    const started = occurrences.filter((o) => o.outcome === 'started');
    expect(shed.length).toBeGreaterThan(0);
    expect(started.length).toBeGreaterThan(0);
    expect(shed.every((o) => o.runId === undefined)).toBe(true);
    // Once the backlog is seen (a check every 200 ms), a fire starts only before its next is due.
    const settled = started.filter((o) => o.scheduledFor >= firstPlanned + 2000);
    expect(settled.length).toBeGreaterThan(0);
    expect(
      settled
        .filter((o) => o.firedAt - o.scheduledFor >= 1000)
        .map((o) => [o.scheduledFor - firstPlanned, o.firedAt - o.scheduledFor]),
    ).toEqual([]);
  });
});

describe('creating with a jobId', () => {
  it('makes one schedule when the same jobId is sent many times at once', async () => {
    stack = testStack();
    await stack.startWorker([quick()]);
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        stack.engine.schedules.create('edges', { cron: '0 0 1 1 *', jobId: 'nightly' }),
      ),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.schedule.id)).size).toBe(1);
    expect(await stack.engine.schedules.list('edges')).toHaveLength(1);
  });

  it('takes over a claim that names no schedule instead of answering 404 forever', async () => {
    stack = testStack();
    await stack.startWorker([quick()]);
    const client = new Redis(redisUrl());
    opened.push({ close: () => client.quit() });
    // What a crash between claiming and writing left behind before claim and write were one step.
    await client.hset(`{${stack.prefix}:edges}:schedule-job-ids`, 'nightly', 'sch_neverwritten');
    const first = await stack.engine.schedules.create('edges', { cron: '0 0 1 1 *', jobId: 'nightly' });
    expect(first.created).toBe(true);
    const again = await stack.engine.schedules.create('edges', { cron: '0 0 1 1 *', jobId: 'nightly' });
    expect(again).toMatchObject({ created: false, schedule: { id: first.schedule.id } });
  });
});

describe('a deleted schedule', () => {
  it('records no late fire, so none of its keys come back', async () => {
    stack = testStack();
    await stack.startWorker([quick()]);
    const { schedule } = await stack.engine.schedules.create('edges', { cron: '0 0 1 1 *' });
    await stack.engine.schedules.remove('edges', schedule.id);
    const parts = createEngineParts({
      redisUrl: redisUrl(),
      prefix: stack.prefix,
      retention: { maxRuns: 1000, maxAgeMs: 86_400_000 },
      heartbeatMs: 60_000,
    });
    opened.push({ close: () => parts.ctx.redis.quit() });
    const store = createScheduleStore(parts.ctx);
    const recorded = await store.recordOccurrence('edges', schedule.id, {
      scheduledFor: Date.now(),
      firedAt: Date.now(),
      outcome: 'failed',
      error: 'the worker handling this fire stopped more than once',
    });
    expect(recorded).toBe(false);
    expect(await parts.ctx.redis.keys(`{${stack.prefix}:edges}:occurrence*`)).toEqual([]);
  });
});

describe('the start-up reconcile', () => {
  it('finds an orphaned one-time trigger behind thousands of the flow’s step jobs', async () => {
    stack = testStack();
    const queue = queueOf('edges');
    const later = 3_600_000;
    await queue.addBulk(
      Array.from({ length: 2500 }, (_, i) => ({
        name: 'step',
        data: {},
        opts: { jobId: `run_x${i}.only`, delay: later },
      })),
    );
    await queue.add(
      MARKER_JOB_NAME,
      { __scheduledFlowStart: true, __flowName: 'edges', __scheduleId: 'sch_gone' },
      {
        jobId: `sch_gone.once.${Date.now() + 2 * later}`,
        delay: 2 * later,
      },
    );
    await stack.startWorker([quick()]);
    const markers = (await queue.getJobs(['delayed'], 0, -1)).filter((j) => j.name === MARKER_JOB_NAME);
    expect(markers).toEqual([]);
    expect(await queue.getDelayedCount()).toBe(2500);
  });
});
