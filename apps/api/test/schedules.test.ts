import {
  DeleteScheduleResponse,
  Schedule,
  ScheduleDetail,
  ScheduleList,
  SchedulePreview,
  TriggerScheduleResponse,
} from '@flowdeck/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProblem, startTestApi, type TestApi } from './helpers.ts';

// Schedule timing is the engine's to test; here: the routes, their validation and one round trip.
let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.close();
});

const base = '/api/_flows/cleanup-flow';
const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  api.fetch(path, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

async function expectBadRequest(response: Response, detail: string, path?: string) {
  expect(response.status).toBe(400);
  const problem = await readProblem(response);
  expect(problem.code).toBe('invalid_request');
  expect(problem.detail).toContain(detail);
  if (path) expect(problem.errors?.map((e) => e.path)).toContain(path);
}

describe('creating a schedule: validation', () => {
  it('answers 400 with the field count for a cron pattern of 4 fields', async () => {
    const response = await send('POST', `${base}/schedule`, { cron: '*/5 * * *' });
    await expectBadRequest(response, 'cron: expected 5 or 6 fields, got 4', 'body.cron');
  });

  it('answers 400 for a cron pattern with a value out of range', async () => {
    const response = await send('POST', `${base}/schedule`, { cron: '99 * * * *' });
    await expectBadRequest(response, 'cron:', 'body.cron');
  });

  it('answers 400 naming an unknown time zone', async () => {
    const response = await send('POST', `${base}/schedule`, { cron: '0 9 * * *', tz: 'Mars/Olympus' });
    await expectBadRequest(response, "tz: unknown time zone 'Mars/Olympus'", 'body.tz');
  });

  it('answers 400 when two specs are given at once, or none', async () => {
    for (const body of [{ cron: '0 9 * * *', every: 60_000 }, { input: { retentionDays: 1 } }]) {
      await expectBadRequest(
        await send('POST', `${base}/schedule`, body),
        'give exactly one of cron, every, delay, at',
      );
    }
  });

  it('answers 400 for a body that is not a JSON object', async () => {
    for (const body of [[{ cron: '0 9 * * *' }], 'every minute', 42, null]) {
      await expectBadRequest(await send('POST', `${base}/schedule`, body), 'expected a JSON object', 'body');
    }
    await expectBadRequest(await api.fetch(`${base}/schedule`, { method: 'POST' }), 'expected a JSON object');
  });

  it('answers 400 for an interval under a second and for a date in the past', async () => {
    await expectBadRequest(await send('POST', `${base}/schedule`, { every: 10 }), 'every:', 'body.every');
    await expectBadRequest(
      await send('POST', `${base}/schedule`, { at: '2001-01-01T00:00:00Z' }),
      'at:',
      'body.at',
    );
  });

  it('answers 422 when the schedule input fails the flow input schema', async () => {
    const response = await send('POST', `${base}/schedule`, { every: 60_000, input: { retentionDays: 0 } });
    expect(response.status).toBe(422);
    expect((await readProblem(response)).code).toBe('input_invalid');
  });

  it('answers 404 flow_not_found for a schedule of an unknown flow', async () => {
    const response = await send('POST', '/api/_flows/no-such-flow/schedule', { every: 60_000 });
    expect(response.status).toBe(404);
    expect((await readProblem(response)).code).toBe('flow_not_found');
  });
});

describe('previewing a schedule', () => {
  it('answers the description and the next fire times, as many as ?count asks', async () => {
    const response = await send('POST', `${base}/schedule/preview?count=3`, {
      cron: '0 9 * * 1-5',
      tz: 'Europe/Paris',
    });
    expect(response.status).toBe(200);
    const preview = SchedulePreview.parse(await response.json());
    expect(preview.nextRuns).toHaveLength(3);
    expect(preview.description).toMatch(/09:00/);
  });

  it('answers 400 for a count outside 1..50', async () => {
    for (const count of ['0', '51']) {
      const response = await send('POST', `${base}/schedule/preview?count=${count}`, { cron: '0 9 * * *' });
      await expectBadRequest(response, 'count:', 'query.count');
    }
  });
});

describe('unknown schedules', () => {
  it('answers 404 schedule_not_found on every route that takes a schedule id', async () => {
    const id = 'sch_doesnotexist';
    const calls = [
      send('GET', `${base}/schedules/${id}`),
      send('PATCH', `${base}/schedules/${id}`, { every: 60_000 }),
      send('POST', `${base}/schedules/${id}/pause`, {}),
      send('POST', `${base}/schedules/${id}/resume`),
      send('POST', `${base}/schedules/${id}/trigger`),
      send('DELETE', `${base}/schedules/${id}`),
    ];
    for (const response of await Promise.all(calls)) {
      expect(response.status).toBe(404);
      expect((await readProblem(response)).code).toBe('schedule_not_found');
    }
  });
});

describe('a schedule through the API', () => {
  it('is created, listed with its description, read, paused, edited, resumed and deleted by the id POST returned', async () => {
    const created = await send('POST', `${base}/schedule`, {
      cron: '*/5 * * * *',
      input: { retentionDays: 7 },
      metadata: { description: 'nightly-ish cleanup', tags: ['ops'] },
    });
    expect(created.status).toBe(201);
    const schedule = Schedule.parse(await created.json());
    expect(created.headers.get('location')).toBe(`${base}/schedules/${schedule.id}`);
    expect(schedule).toMatchObject({
      flowName: 'cleanup-flow',
      status: 'active',
      schedule: { cron: '*/5 * * * *' },
    });

    const list = ScheduleList.parse(await (await send('GET', `${base}/schedules`)).json());
    expect(list.find((s) => s.id === schedule.id)?.metadata.description).toBe('nightly-ish cleanup');

    const everywhere = ScheduleList.parse(await (await send('GET', '/api/_flows/schedules?tag=ops')).json());
    expect(everywhere.map((s) => s.id)).toContain(schedule.id);

    const detail = ScheduleDetail.parse(await (await send('GET', `${base}/schedules/${schedule.id}`)).json());
    expect(detail.upcoming).toHaveLength(5);

    const paused = await send('POST', `${base}/schedules/${schedule.id}/pause`, { reason: 'maintenance' });
    expect(paused.status).toBe(200);
    expect(Schedule.parse(await paused.json()).status).toBe('paused');

    const stale = await send(
      'PATCH',
      `${base}/schedules/${schedule.id}`,
      { cron: '0 * * * *' },
      { 'if-match': '1' },
    );
    expect(stale.status).toBe(409);
    expect((await readProblem(stale)).code).toBe('version_conflict');

    const current = Schedule.parse(await (await send('GET', `${base}/schedules/${schedule.id}`)).json());
    const edited = await send(
      'PATCH',
      `${base}/schedules/${schedule.id}`,
      { cron: '0 * * * *' },
      { 'if-match': String(current.version) },
    );
    expect(edited.status).toBe(200);
    expect(Schedule.parse(await edited.json()).schedule.cron).toBe('0 * * * *');

    const resumed = await send('POST', `${base}/schedules/${schedule.id}/resume`);
    expect(Schedule.parse(await resumed.json()).status).toBe('active');

    const deleted = await send('DELETE', `${base}/schedules/${schedule.id}`);
    expect(deleted.status).toBe(200);
    expect(DeleteScheduleResponse.parse(await deleted.json()).success).toBe(true);

    const gone = await send('GET', `${base}/schedules/${schedule.id}`);
    expect(gone.status).toBe(404);
    const after = ScheduleList.parse(await (await send('GET', `${base}/schedules`)).json());
    expect(after.map((s) => s.id)).not.toContain(schedule.id);
  });

  it('returns the existing schedule with 200 when the same jobId is created again', async () => {
    const body = { every: 3_600_000, input: { retentionDays: 2 }, jobId: 'hourly-cleanup' };
    const first = await send('POST', `${base}/schedule`, body);
    const second = await send('POST', `${base}/schedule`, body);
    expect([first.status, second.status]).toEqual([201, 200]);
    expect(Schedule.parse(await second.json()).id).toBe(Schedule.parse(await first.json()).id);
  });

  it('fires a schedule now with trigger, through the worker', async () => {
    const created = Schedule.parse(
      await (
        await send('POST', `${base}/schedule`, { delay: 3_600_000, input: { retentionDays: 4 } })
      ).json(),
    );
    const response = await send('POST', `${base}/schedules/${created.id}/trigger`);
    expect(response.status).toBe(202);
    const { occurrence } = TriggerScheduleResponse.parse(await response.json());
    expect(occurrence.outcome).toBe('queued');
  });

  it('refuses unknown fields and non-object bodies on pause', async () => {
    const created = Schedule.parse(
      await (await send('POST', `${base}/schedule`, { every: 60_000, input: { retentionDays: 1 } })).json(),
    );
    await expectBadRequest(
      await send('POST', `${base}/schedules/${created.id}/pause`, ['now']),
      'expected a JSON object',
    );
    await expectBadRequest(
      await send('POST', `${base}/schedules/${created.id}/pause`, { why: 'x' }),
      "unknown field 'why'",
    );
  });

  it('serves the all-schedules list at /api/_flows/schedules rather than as a flow named "schedules"', async () => {
    const response = await send('GET', '/api/_flows/schedules?flowName=cleanup-flow');
    expect(response.status).toBe(200);
    for (const schedule of ScheduleList.parse(await response.json()))
      expect(schedule.flowName).toBe('cleanup-flow');
    await expectBadRequest(
      await send('GET', '/api/_flows/schedules?status=sleeping'),
      'status:',
      'query.status',
    );
  });
});
