import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineFlow } from '../src/flow.ts';
import { MARKER_JOB_NAME } from '../src/jobs.ts';
import { redisUrl, runOfFire, type TestStack, testStack, until, waitForRun } from './helpers.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function tracked(name = 'ticker', stepMs = 10) {
  return defineFlow({
    name,
    description: 'two quick steps',
    input: z.object({ tag: z.string().optional() }),
    steps: {
      a: { handler: async () => sleep(stepMs).then(() => 'a') },
      b: { needs: ['a'], handler: () => 'b' },
    },
  });
}

let stack: TestStack;
afterEach(async () => {
  await stack.close();
});

const runsOf = async (flow: string, scheduleId?: string) =>
  (await stack.engine.runs.list(flow, { limit: 200, ...(scheduleId ? { scheduleId } : {}) })).items;

describe('schedules', () => {
  it('a 6-field cron firing every second starts tracked runs whose trigger is the schedule', async () => {
    stack = testStack();
    await stack.startWorker([tracked()]);
    const { schedule, created } = await stack.engine.schedules.create('ticker', {
      cron: '* * * * * *',
      input: { tag: 'x' },
    });
    expect(created).toBe(true);
    const runs = await until(
      () => runsOf('ticker'),
      (r) => r.filter((x) => x.status === 'completed').length >= 2,
    );
    const run = await stack.engine.runs.get('ticker', runs.find((r) => r.status === 'completed')!.id);
    expect(run.trigger).toMatchObject({ type: 'schedule', scheduleId: schedule.id });
    expect(run.trigger.scheduledFor! % 1000).toBe(0);
    expect(run.input).toEqual({ tag: 'x' });
    expect(run.steps.map((s) => s.status)).toEqual(['completed', 'completed']);
    const detail = await stack.engine.schedules.get('ticker', schedule.id);
    expect(detail.stats.count).toBeGreaterThanOrEqual(2);
    expect(detail.recent.items[0]).toMatchObject({ outcome: 'started' });
    expect((await runsOf('ticker', schedule.id)).length).toBeGreaterThanOrEqual(2);
  });

  it('a delay schedule is listed until it fires, fires once, then shows completed with no next run', async () => {
    stack = testStack();
    await stack.startWorker([tracked()]);
    const { schedule } = await stack.engine.schedules.create('ticker', {
      delay: 1500,
      metadata: { description: 'soon' },
    });
    const listed = await stack.engine.schedules.list('ticker');
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      id: schedule.id,
      status: 'active',
      schedule: { delay: 1500 },
      metadata: { description: 'soon' },
    });
    expect(listed[0]!.nextRun).toBe(schedule.createdAt + 1500);
    const done = await until(
      () => stack.engine.schedules.get('ticker', schedule.id),
      (s) => s.status === 'completed',
    );
    expect(done.nextRun).toBeNull();
    expect(done.stats.count).toBe(1);
    await sleep(500);
    expect(await runsOf('ticker')).toHaveLength(1);
  });

  it("the seed's script: create */5 cron, list it with its description, create a 60 s delay, delete it by the id POST returned", async () => {
    stack = testStack();
    await stack.startWorker([tracked()]);
    const cron = await stack.engine.schedules.create('ticker', {
      cron: '*/5 * * * *',
      metadata: { description: 'every five' },
    });
    const listed = await stack.engine.schedules.list('ticker');
    expect(listed.find((s) => s.id === cron.schedule.id)).toMatchObject({
      schedule: { cron: '*/5 * * * *', tz: 'UTC' },
      metadata: { description: 'every five' },
    });
    expect(listed[0]!.nextRun! % 300_000).toBe(0);
    const delay = await stack.engine.schedules.create('ticker', { delay: 60_000 });
    expect(await stack.engine.schedules.list('ticker')).toHaveLength(2);
    await stack.engine.schedules.remove('ticker', delay.schedule.id);
    await stack.engine.schedules.remove('ticker', cron.schedule.id);
    expect(await stack.engine.schedules.list('ticker')).toEqual([]);
    const queue = new Queue('ticker', {
      connection: { url: redisUrl() },
      prefix: `{${stack.prefix}:ticker}`,
    });
    expect(await queue.getJobSchedulers()).toEqual([]);
    expect((await queue.getDelayed()).filter((j) => j.name === MARKER_JOB_NAME)).toEqual([]);
    await queue.close();
    await expect(stack.engine.schedules.get('ticker', cron.schedule.id)).rejects.toMatchObject({
      status: 404,
      code: 'schedule_not_found',
    });
  });

  it('a paused schedule does not fire, and resume restarts it without a burst of missed fires', async () => {
    stack = testStack();
    await stack.startWorker([tracked()]);
    const { schedule } = await stack.engine.schedules.create('ticker', { every: 1000 });
    await until(
      () => runsOf('ticker'),
      (r) => r.length >= 1,
    );
    const paused = await stack.engine.schedules.pause('ticker', schedule.id, 'maintenance');
    expect(paused).toMatchObject({ status: 'paused', pausedReason: 'maintenance', nextRun: null });
    await sleep(300); // a fire already picked up when pausing may still land
    const before = (await runsOf('ticker')).length;
    await sleep(3000);
    expect((await runsOf('ticker')).length).toBe(before);
    const resumed = await stack.engine.schedules.resume('ticker', schedule.id);
    expect(resumed.status).toBe('active');
    expect(resumed.nextRun).toBeGreaterThan(Date.now() - 100);
    await sleep(1600);
    const after = (await runsOf('ticker')).length;
    expect(after - before).toBeGreaterThanOrEqual(1);
    expect(after - before).toBeLessThanOrEqual(2);
  });

  it('an edit from every 10 s to every 1 s takes effect at once', async () => {
    stack = testStack();
    await stack.startWorker([tracked()]);
    const { schedule } = await stack.engine.schedules.create('ticker', { every: 10_000 });
    expect(schedule.nextRun).toBeGreaterThan(Date.now() + 8000);
    const edited = await stack.engine.schedules.update(
      'ticker',
      schedule.id,
      { every: 1000 },
      { ifMatch: String(schedule.version) },
    );
    expect(edited.schedule).toEqual({ every: 1000 });
    expect(edited.nextRun).toBeLessThan(Date.now() + 1500);
    await until(
      () => runsOf('ticker'),
      (r) => r.length >= 2,
      5000,
    );
  });

  it('an edit with a stale If-Match is refused with 409 and changes nothing', async () => {
    stack = testStack();
    await stack.startWorker([tracked()]);
    const { schedule } = await stack.engine.schedules.create('ticker', { cron: '0 * * * *' });
    await stack.engine.schedules.update('ticker', schedule.id, { metadata: { description: 'first' } });
    await expect(
      stack.engine.schedules.update(
        'ticker',
        schedule.id,
        { cron: '0 0 * * *' },
        { ifMatch: String(schedule.version) },
      ),
    ).rejects.toMatchObject({ status: 409, code: 'version_conflict' });
    expect((await stack.engine.schedules.get('ticker', schedule.id)).schedule.cron).toBe('0 * * * *');
  });

  it('an edit that moves the end date into the past is refused with 400 and changes nothing', async () => {
    stack = testStack();
    await stack.startWorker([tracked()]);
    const { schedule } = await stack.engine.schedules.create('ticker', { cron: '0 * * * *' });
    await expect(
      stack.engine.schedules.update('ticker', schedule.id, { endDate: '1970-01-01T00:00:00.025Z' }),
    ).rejects.toMatchObject({ status: 400, message: 'endDate: is in the past' });
    const after = await stack.engine.schedules.get('ticker', schedule.id);
    expect(after).toMatchObject({ status: 'active', endDate: null, version: schedule.version });
  });

  it('run now answers queued at once and starts one run through the marker path without moving the schedule', async () => {
    stack = testStack();
    await stack.startWorker([tracked()]);
    const { schedule } = await stack.engine.schedules.create('ticker', { cron: '0 0 1 1 *' });
    const occurrence = await stack.engine.schedules.trigger('ticker', schedule.id);
    expect(occurrence).toMatchObject({ outcome: 'queued', manual: true });
    const runId = await runOfFire(stack.engine, 'ticker', schedule.id, occurrence.scheduledFor);
    const { recent } = await stack.engine.schedules.get('ticker', schedule.id);
    expect(recent.items[0]).toMatchObject({ outcome: 'started', manual: true, runId });
    const run = await waitForRun(stack.engine, 'ticker', runId);
    expect(run.trigger).toMatchObject({ type: 'schedule', scheduleId: schedule.id });
    expect(await runsOf('ticker')).toHaveLength(1);
    expect((await stack.engine.schedules.get('ticker', schedule.id)).nextRun).toBe(schedule.nextRun);
  });

  it("overlap 'skip' records skipped occurrences while the previous run is still going", async () => {
    stack = testStack();
    await stack.startWorker([tracked('slow', 2500)]);
    const { schedule } = await stack.engine.schedules.create('slow', {
      cron: '* * * * * *',
      overlap: 'skip',
    });
    const detail = await until(
      () => stack.engine.schedules.get('slow', schedule.id),
      (d) => d.recent.items.some((o) => o.outcome === 'skipped-overlap') && d.stats.count >= 1,
    );
    await stack.engine.schedules.pause('slow', schedule.id);
    const started = detail.recent.items.filter((o) => o.outcome === 'started');
    const skipped = detail.recent.items.filter((o) => o.outcome === 'skipped-overlap');
    expect(skipped.every((o) => o.runId === undefined)).toBe(true);
    expect(started.length).toBe(detail.stats.count);
  });

  it('a fire past the catch-up window is recorded as missed instead of started', async () => {
    stack = testStack();
    // A worker registers the flow, then stops: the fire lands in the queue with no one to take it.
    const first = await stack.startWorker([tracked()]);
    const { schedule } = await stack.engine.schedules.create('ticker', { delay: 200, catchupWindowMs: 500 });
    await first.close();
    await sleep(1500);
    await stack.startWorker([tracked()]);
    const detail = await until(
      () => stack.engine.schedules.get('ticker', schedule.id),
      (d) => d.recent.items.length === 1,
    );
    expect(detail.recent.items[0]).toMatchObject({ outcome: 'missed-catchup' });
    expect(await runsOf('ticker')).toEqual([]);
  });

  it('a marker job processed twice (a retry) starts one run', async () => {
    stack = testStack();
    await stack.startWorker([tracked()]);
    const { schedule } = await stack.engine.schedules.create('ticker', { cron: '0 0 1 1 *' });
    const queue = new Queue('ticker', {
      connection: { url: redisUrl() },
      prefix: `{${stack.prefix}:ticker}`,
    });
    const data = {
      __scheduledFlowStart: true,
      __flowName: 'ticker',
      __flowInput: {},
      __scheduleId: schedule.id,
    };
    const planned = 1_900_000_000_000;
    // The same fire delivered twice, as after a crash between start and acknowledge.
    const first = await queue.add(MARKER_JOB_NAME, data, { jobId: `repeat:${schedule.id}:${planned}` });
    await until(
      () => first.getState(),
      (s) => s === 'completed',
    );
    await first.remove();
    const again = await queue.add(MARKER_JOB_NAME, data, { jobId: `repeat:${schedule.id}:${planned}` });
    await until(
      () => again.getState(),
      (s) => s === 'completed',
    );
    await queue.close();
    const runs = await runsOf('ticker');
    expect(runs).toHaveLength(1);
    expect(runs[0]!.trigger.scheduledFor).toBe(planned);
    const detail = await stack.engine.schedules.get('ticker', schedule.id);
    expect(detail.recent.items).toHaveLength(1);
    expect(detail.stats.count).toBe(1);
  });

  it('two workers on one Redis give exactly one run per fire', async () => {
    stack = testStack();
    await stack.startWorker([tracked()]);
    await stack.startWorker([tracked()]);
    const { schedule } = await stack.engine.schedules.create('ticker', { cron: '* * * * * *' });
    await sleep(4500);
    await stack.engine.schedules.pause('ticker', schedule.id);
    await sleep(500);
    const runs = await runsOf('ticker');
    const planned = runs.map((r) => r.trigger.scheduledFor);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(new Set(planned).size).toBe(planned.length);
    const detail = await stack.engine.schedules.get('ticker', schedule.id);
    expect(detail.recent.items.filter((o) => o.outcome === 'started')).toHaveLength(runs.length);
  });

  it('a worker starting up restores a missing BullMQ scheduler and removes an orphan one', async () => {
    stack = testStack();
    const worker = await stack.startWorker([tracked()]);
    const { schedule } = await stack.engine.schedules.create('ticker', { cron: '0 0 1 1 *' });
    await worker.close();
    const queue = new Queue('ticker', {
      connection: { url: redisUrl() },
      prefix: `{${stack.prefix}:ticker}`,
    });
    await queue.removeJobScheduler(schedule.id);
    await queue.upsertJobScheduler('orphan', { pattern: '0 0 1 1 *' }, { name: MARKER_JOB_NAME, data: {} });
    await stack.startWorker([tracked()]);
    const ids = (await queue.getJobSchedulers()).map((s) => s.key);
    await queue.close();
    expect(ids).toEqual([schedule.id]);
  });

  it('a running worker repairs a job scheduler that lost its next fire, without a restart', async () => {
    stack = testStack();
    await stack.startWorker([tracked()], { checkIntervalMs: 1000 });
    const { schedule } = await stack.engine.schedules.create('ticker', { cron: '*/5 * * * * *' });
    // What a worker dying between picking up a fire and adding the next one leaves behind:
    // the scheduler names a next fire whose job is gone, and nothing would fire again.
    const queue = new Queue('ticker', {
      connection: { url: redisUrl() },
      prefix: `{${stack.prefix}:ticker}`,
    });
    const next = (await queue.getJobScheduler(schedule.id))!.next!;
    const jobId = `repeat:${schedule.id}:${next}`;
    const client = new Redis(redisUrl());
    await client.del(queue.toKey(jobId));
    await client.zrem(queue.toKey('delayed'), jobId);
    await client.lrem(queue.toKey('wait'), 0, jobId);
    client.disconnect();
    await queue.close();
    const runs = await until(
      () => runsOf('ticker'),
      (r) => r.some((run) => run.trigger.scheduledFor! >= next),
      20_000,
    );
    expect(runs.length).toBeGreaterThanOrEqual(1);
  });

  it('a schedule keeps only as many fires in its history as the retention setting allows, newest first', async () => {
    stack = testStack({ occurrencesPerSchedule: 3 });
    await stack.startWorker([tracked()]);
    const { schedule } = await stack.engine.schedules.create('ticker', { cron: '* * * * * *' });
    const detail = await until(
      () => stack.engine.schedules.get('ticker', schedule.id),
      (d) => d.stats.count >= 5,
    );
    await stack.engine.schedules.pause('ticker', schedule.id);
    const kept = detail.recent.items.map((o) => o.scheduledFor);
    expect(kept).toHaveLength(3);
    expect(kept).toEqual([...kept].sort((a, b) => b - a));
    expect(detail.stats.count).toBeGreaterThanOrEqual(5);
  });

  it('the same jobId creates one schedule and answers the existing one again', async () => {
    stack = testStack();
    await stack.startWorker([tracked()]);
    const first = await stack.engine.schedules.create('ticker', { cron: '0 2 * * *', jobId: 'nightly' });
    const second = await stack.engine.schedules.create('ticker', { cron: '0 3 * * *', jobId: 'nightly' });
    expect(second).toMatchObject({
      created: false,
      schedule: { id: first.schedule.id, schedule: { cron: '0 2 * * *' } },
    });
    expect(await stack.engine.schedules.list('ticker')).toHaveLength(1);
  });

  it('bad timing and input are refused with a message naming the field, and nothing is created', async () => {
    stack = testStack();
    await stack.startWorker([tracked()]);
    await expect(stack.engine.schedules.create('ticker', { cron: '61 * * * *' })).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/^cron: /),
    });
    await expect(
      stack.engine.schedules.create('ticker', { at: '2001-01-01T00:00:00Z' }),
    ).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/^at: .* is in the past/),
    });
    await expect(
      stack.engine.schedules.create('ticker', { every: 5000, input: { tag: 5 } }),
    ).rejects.toMatchObject({
      status: 422,
      errors: [{ path: 'input.tag' }],
    });
    await expect(stack.engine.schedules.create('ghost', { every: 5000 })).rejects.toMatchObject({
      status: 404,
    });
    expect(await stack.engine.schedules.list('ticker')).toEqual([]);
  });

  it('lists schedules across flows and filters them by tag and status', async () => {
    stack = testStack();
    await stack.startWorker([tracked('one'), tracked('two')]);
    const a = await stack.engine.schedules.create('one', {
      cron: '0 2 * * *',
      metadata: { tags: ['nightly'] },
    });
    await stack.engine.schedules.create('two', { cron: '0 3 * * *' });
    await stack.engine.schedules.pause('one', a.schedule.id);
    expect((await stack.engine.schedules.listAll({})).map((s) => s.flowName).sort()).toEqual(['one', 'two']);
    expect((await stack.engine.schedules.listAll({ tag: 'nightly' })).map((s) => s.id)).toEqual([
      a.schedule.id,
    ]);
    expect((await stack.engine.schedules.listAll({ status: 'paused' })).map((s) => s.id)).toEqual([
      a.schedule.id,
    ]);
    expect((await stack.engine.schedules.list('two')).map((s) => s.flowName)).toEqual(['two']);
  });

  it('a page larger than Lua can unpack at once (8,000 values) holds every schedule', async () => {
    stack = testStack();
    await stack.startWorker([tracked('many')]);
    const created: string[] = [];
    for (let i = 0; i < 8101; i += 100) {
      const batch = Array.from({ length: Math.min(100, 8101 - i) }, () =>
        stack.engine.schedules.create('many', { cron: '0 0 1 1 *' }),
      );
      for (const { schedule } of await Promise.all(batch)) created.push(schedule.id);
    }
    const first = await stack.engine.schedules.page('many', { limit: 8100 });
    expect(first.items).toHaveLength(8100);
    expect(first.nextCursor).not.toBeNull();
    const rest = await stack.engine.schedules.page('many', { limit: 8100, cursor: first.nextCursor! });
    expect(rest.items).toHaveLength(1);
    expect(rest.nextCursor).toBeNull();
    expect(new Set([...first.items, ...rest.items].map((s) => s.id))).toEqual(new Set(created));
  });
});
