import { Schedule, TriggerScheduleResponse } from '@flowdeck/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProblem, startTestApi, type TestApi } from './helpers.ts';

/**
 * Edits as a client makes them: JSON Merge Patch (null clears, what was read can be written
 * back), the fields one-time schedules do not take, and "run now" with no worker to wait for.
 */

let api: TestApi;
beforeAll(async () => {
  // No worker: nothing fires, and "run now" must not wait for one.
  api = await startTestApi({ worker: false });
});
afterAll(async () => {
  await api.close();
});

const base = '/api/_flows/cleanup-flow';
const send = (method: string, path: string, body?: unknown) =>
  api.fetch(path, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

async function create(body: Record<string, unknown>) {
  const response = await send('POST', `${base}/schedule`, { input: { retentionDays: 3 }, ...body });
  expect(response.status).toBe(201);
  return Schedule.parse(await response.json());
}

async function patch(id: string, body: unknown) {
  return send('PATCH', `${base}/schedules/${id}`, body);
}

async function expectFieldRefused(response: Response, field: string) {
  expect(response.status).toBe(400);
  const problem = await readProblem(response);
  expect(problem.detail).toContain(field);
  expect(problem.errors?.map((e) => e.path)).toContain(`body.${field}`);
}

describe('PATCH with null', () => {
  it('clears limit, start and end dates, catch-up window and a metadata field in one new version', async () => {
    const schedule = await create({
      cron: '0 3 * * *',
      limit: 5,
      startDate: '2031-01-01T00:00:00Z',
      endDate: '2032-01-01T00:00:00Z',
      catchupWindowMs: 60_000,
      metadata: { description: 'nightly', tags: ['ops'] },
    });
    const response = await patch(schedule.id, {
      limit: null,
      startDate: null,
      endDate: null,
      catchupWindowMs: null,
      metadata: { description: null },
    });
    expect(response.status).toBe(200);
    const cleared = Schedule.parse(await response.json());
    expect(cleared).toMatchObject({
      limit: null,
      startDate: null,
      endDate: null,
      catchupWindowMs: null,
      metadata: { tags: ['ops'] },
      version: schedule.version + 1,
    });
    expect(cleared.metadata.description).toBeUndefined();
  });

  it('makes no new version for an empty edit or for writing back what was read', async () => {
    const schedule = await create({ every: 3_600_000, limit: 3, metadata: { description: 'hourly' } });
    const empty = Schedule.parse(await (await patch(schedule.id, {})).json());
    expect(empty.version).toBe(schedule.version);
    const { every } = schedule.schedule;
    const writtenBack = await patch(schedule.id, {
      every,
      input: schedule.input,
      metadata: schedule.metadata,
      overlap: schedule.overlap,
      catchupWindowMs: schedule.catchupWindowMs,
      startDate: schedule.startDate,
      endDate: schedule.endDate,
      limit: schedule.limit,
    });
    expect(writtenBack.status).toBe(200);
    const after = Schedule.parse(await writtenBack.json());
    expect(after.version).toBe(schedule.version);
    expect(after.nextRun).toBe(schedule.nextRun);
  });
});

describe('a one-time schedule', () => {
  it('refuses startDate and endDate with 400 naming the field', async () => {
    await expectFieldRefused(
      await send('POST', `${base}/schedule`, { delay: 1000, startDate: '2030-01-01T00:00:00Z' }),
      'startDate',
    );
    const soon = new Date(Date.now() + 1000).toISOString();
    await expectFieldRefused(
      await send('POST', `${base}/schedule`, { delay: 3000, endDate: soon }),
      'endDate',
    );
    await expectFieldRefused(
      await send('POST', `${base}/schedule/preview`, { at: '2031-01-01T00:00:00Z', endDate: soon }),
      'endDate',
    );
  });

  it('is not made from a recurring one that keeps its end date; clearing it in the same edit works', async () => {
    const schedule = await create({ cron: '0 3 * * *', endDate: '2032-01-01T00:00:00Z' });
    await expectFieldRefused(await patch(schedule.id, { delay: 60_000 }), 'endDate');
    const unchanged = Schedule.parse(await (await send('GET', `${base}/schedules/${schedule.id}`)).json());
    expect(unchanged).toMatchObject({ version: schedule.version, schedule: { cron: '0 3 * * *' } });
    const edited = await patch(schedule.id, { delay: 60_000, endDate: null });
    expect(edited.status).toBe(200);
    expect(Schedule.parse(await edited.json())).toMatchObject({ schedule: { delay: 60_000 }, endDate: null });
  });
});

describe('run now', () => {
  it('answers 202 with the fire queued at once, with no worker running', async () => {
    const schedule = await create({ cron: '0 3 * * *' });
    const response = await send('POST', `${base}/schedules/${schedule.id}/trigger`);
    expect(response.status).toBe(202);
    const { occurrence } = TriggerScheduleResponse.parse(await response.json());
    expect(occurrence).toMatchObject({ outcome: 'queued', manual: true });
    expect(occurrence.runId).toBeUndefined();
  });
});
