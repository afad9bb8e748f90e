import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEngineParts, type EngineParts } from '../src/engine.ts';
import { defineFlow } from '../src/flow.ts';
import { extendWrite } from '../src/runs.ts';
import type { ScheduleRecord } from '../src/schedules/record.ts';
import { createScheduleStore } from '../src/schedules/store.ts';
import { redisUrl, type TestStack, testStack, waitForRun } from './helpers.ts';

/**
 * A fire of a schedule its worker has read before sends a check with the run's create instead of
 * reading the schedule first (see fire.ts and lua/create-checked-fire-run.lua). These prove the
 * check refuses, writing nothing, whenever the schedule is not as it was read.
 */

const flow = defineFlow({
  name: 'checked',
  description: 'one step',
  input: z.object({ n: z.number() }),
  steps: { only: { handler: ({ input }) => input.n } },
});

let stack: TestStack | undefined;
let parts: EngineParts | undefined;
let client: Redis | undefined;
afterEach(async () => {
  await stack?.close();
  await parts?.ctx.redis.quit();
  await client?.quit();
  stack = parts = client = undefined;
});

/** A worker hosting the flow (so schedules can be made) and a yearly schedule that will not fire. */
async function setUp(overlap: 'allow' | 'skip' = 'allow', occurrencesPerSchedule?: number) {
  stack = testStack();
  await stack.startWorker([flow]);
  const { schedule } = await stack.engine.schedules.create('checked', {
    cron: '0 0 1 1 *',
    input: { n: 1 },
    overlap,
  });
  parts = createEngineParts({
    redisUrl: redisUrl(),
    prefix: stack.prefix,
    retention: { maxRuns: 1000, maxAgeMs: 86_400_000, occurrencesPerSchedule },
    heartbeatMs: 60_000,
  });
  client = new Redis(redisUrl());
  const store = createScheduleStore(parts.ctx);
  return { store, record: await store.get('checked', schedule.id) };
}

/** Creates the run of the fire planned for `at`, with the check of `record` unless it is null. */
function fireChecked(
  record: ScheduleRecord,
  at: number,
  plannedBefore: number | null,
  options: { check?: boolean; idempotencyKey?: string } = {},
) {
  const store = createScheduleStore(parts!.ctx);
  const occurrence = store.occurrenceWrite('checked', record.id, {
    scheduledFor: at,
    firedAt: Date.now(),
    outcome: 'started',
  });
  return parts!.runs.create({
    flowName: 'checked',
    input: { n: 1 },
    trigger: { type: 'schedule', scheduleId: record.id, scheduledFor: at },
    steps: [{ name: 'only', needs: [] }],
    idempotencyKey: options.idempotencyKey ?? `fire:repeat:${record.id}:${at}`,
    idempotencyTtlMs: 60_000,
    heldStep: 'only',
    createWith:
      options.check === false ? occurrence : extendWrite(occurrence, store.fireCheck(record, plannedBefore)),
  });
}

async function written(record: ScheduleRecord, at: number) {
  const keys = (await client!.keys(`{${stack!.prefix}:checked}:*`)).sort();
  const store = createScheduleStore(parts!.ctx);
  const recent = await store.occurrences('checked', record.id, { cursor: String(at + 1), limit: 1 });
  const occurrence = recent.items.find((o) => o.scheduledFor === at) ?? null;
  return { runs: keys.filter((key) => key.includes(':run:')).length, occurrence };
}

describe('a fire checked against its schedule as last read', () => {
  it('creates the run and records the fire when the schedule is unchanged', async () => {
    const { record } = await setUp();
    const at = Date.now() - 5;
    const result = await fireChecked(record, at, null);
    expect(result).toMatchObject({ stale: false, refused: false, created: true, recorded: true });
    const { runs, occurrence } = await written(record, at);
    expect(runs).toBe(1);
    expect(occurrence).toMatchObject({
      scheduledFor: at,
      outcome: 'started',
      runId: (result as { runId: string }).runId,
    });
  });

  it('is refused, writing nothing, once the schedule was edited after it was read', async () => {
    const { record } = await setUp();
    await stack!.engine.schedules.update('checked', record.id, { input: { n: 2 } });
    const at = Date.now() - 5;
    expect(await fireChecked(record, at, null)).toEqual({ stale: false, refused: true });
    expect(await written(record, at)).toEqual({ runs: 0, occurrence: null });
    expect(await client!.exists(`{${stack!.prefix}:checked}:idem:fire:repeat:${record.id}:${at}`)).toBe(0);
  });

  it('is refused while the planned time before it is unrecorded, and goes ahead once it is', async () => {
    const { store, record } = await setUp();
    const at = Date.now() - 5;
    expect(await fireChecked(record, at, at - 1000)).toEqual({ stale: false, refused: true });
    expect(await written(record, at)).toEqual({ runs: 0, occurrence: null });
    await store.recordOccurrence('checked', record.id, {
      scheduledFor: at - 1000,
      firedAt: Date.now(),
      outcome: 'missed-catchup',
    });
    expect(await fireChecked(record, at, at - 1000)).toMatchObject({ refused: false, created: true });
  });

  it("with overlap 'skip', is refused while the schedule's last run is going, and goes ahead after it ended", async () => {
    const { record } = await setUp('skip');
    const first = await fireChecked(record, Date.now() - 1000, null);
    if (first.stale || first.refused) throw new Error('the first fire should have started');
    const at = Date.now() - 5;
    expect(await fireChecked(record, at, null)).toEqual({ stale: false, refused: true });
    // The held step was never run here: finishing it the way its worker would ends the run.
    await parts!.runs.stepCompleted('checked', first.runId, 'only', 1, 1, {
      dependants: [],
      sinks: ['only'],
    });
    expect(await fireChecked(record, at, null)).toMatchObject({ refused: false, created: true });
  });
});

describe('a fire recorded before', () => {
  it('starts no second run when delivered again after its idempotency key expired', async () => {
    const { record } = await setUp();
    const at = Date.now() - 5;
    const first = await fireChecked(record, at, null, { check: false });
    if (first.stale || first.refused) throw new Error('the first fire should have started');
    await client!.del(`{${stack!.prefix}:checked}:idem:fire:repeat:${record.id}:${at}`);
    const again = await fireChecked(record, at, null, { check: false });
    expect(again).toMatchObject({ created: false, runId: first.runId, recorded: false });
    expect((await written(record, at)).runs).toBe(1);
  });

  it('without a run (skipped then), starts none when delivered again', async () => {
    const { store, record } = await setUp();
    const at = Date.now() - 5;
    await store.recordOccurrence('checked', record.id, {
      scheduledFor: at,
      firedAt: Date.now(),
      outcome: 'skipped-overlap',
    });
    const again = await fireChecked(record, at, null, { check: false });
    expect(again).toMatchObject({ created: false, runId: '', recorded: false });
    expect((await written(record, at)).runs).toBe(0);
  });
});

describe('a fire older than every fire its full history keeps', () => {
  it('starts nothing and is not recorded again; while the history has room, a late fire starts', async () => {
    const { record } = await setUp('allow', 3);
    const at = Date.now() - 10_000;
    // Room in the history: a fire older than those kept is simply late, and starts.
    await fireChecked(record, at + 2000, null, { check: false });
    await fireChecked(record, at + 3000, null, { check: false });
    expect(await fireChecked(record, at + 1000, null, { check: false })).toMatchObject({ created: true });
    // Full (3 kept): the oldest kept is at + 1000; anything older was trimmed, so it was recorded once.
    await fireChecked(record, at + 4000, null, { check: false });
    const stale = await fireChecked(record, at, null, { check: false, idempotencyKey: 'never-seen' });
    expect(stale).toMatchObject({ created: false, runId: '', recorded: false });
    expect(await written(record, at)).toEqual({ runs: 4, occurrence: null });
    expect(await client!.zcard(`{${stack!.prefix}:checked}:occurrence-index:${record.id}`)).toBe(3);
  });
});

describe('a scheduled fire', () => {
  it('writes no idempotency key: its occurrence stops a second run', async () => {
    stack = testStack();
    await stack.startWorker([flow]);
    await stack.engine.schedules.create('checked', { cron: '* * * * * *', input: { n: 1 } });
    await expect
      .poll(async () => (await stack!.engine.runs.list('checked', { limit: 10 })).items.length, {
        timeout: 10_000,
      })
      .toBeGreaterThanOrEqual(2);
    client = new Redis(redisUrl());
    expect(await client.keys(`{${stack.prefix}:checked}:idem:*`)).toEqual([]);
  });
});

describe('a worker firing a schedule it has fired before', () => {
  it('starts the runs after an edit with the edited input, and none after a delete', async () => {
    stack = testStack();
    await stack.startWorker([flow]);
    const { schedule } = await stack.engine.schedules.create('checked', {
      cron: '* * * * * *',
      input: { n: 1 },
    });
    const runsOf = async () => (await stack!.engine.runs.list('checked', { limit: 100 })).items;
    await expect.poll(async () => (await runsOf()).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    await stack.engine.schedules.update('checked', schedule.id, { input: { n: 2 } });
    const editedAt = Date.now();
    await expect
      .poll(async () => (await runsOf()).filter((run) => run.createdAt > editedAt).length, {
        timeout: 10_000,
      })
      .toBeGreaterThanOrEqual(2);
    const after = (await runsOf()).filter((run) => run.createdAt > editedAt + 50);
    const outputs = await Promise.all(
      after.map(async (run) => (await waitForRun(stack!.engine, 'checked', run.id)).output),
    );
    expect(outputs.length).toBeGreaterThan(0);
    for (const output of outputs) expect(output).toEqual({ only: 2 });
    await stack.engine.schedules.remove('checked', schedule.id);
    const count = (await runsOf()).length;
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await runsOf()).length).toBe(count);
  });
});
