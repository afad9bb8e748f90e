import { Schedule, ScheduleList } from '@flowdeck/types';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProblem, redisUrl, startTestApi, type TestApi } from './helpers.ts';

let api: TestApi;
const ids: string[] = [];
const flakyIds: string[] = [];
beforeAll(async () => {
  api = await startTestApi({ worker: false });
  for (let i = 0; i < 7; i++) {
    const response = await api.fetch('/api/_flows/cleanup-flow/schedule', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ cron: '0 0 1 1 *', input: { retentionDays: 1 + i } }),
    });
    ids.push(Schedule.parse(await response.json()).id);
  }
  for (let i = 0; i < 3; i++) {
    const response = await api.fetch('/api/_flows/flaky-flow/schedule', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ cron: '0 0 1 1 *', metadata: { tags: i === 1 ? [] : ['nightly'] } }),
    });
    flakyIds.push(Schedule.parse(await response.json()).id);
  }
});
afterAll(async () => {
  await api.close();
});

/** Follows the Link headers from the first page; returns the ids in the order served. */
async function pageThrough(limit: number, first = `/api/_flows/cleanup-flow/schedules?limit=${limit}`) {
  const seen: string[] = [];
  let next: string | null = first;
  let pages = 0;
  while (next) {
    const response = await api.fetch(next);
    expect(response.status).toBe(200);
    const page = ScheduleList.parse(await response.json());
    expect(page.length).toBeLessThanOrEqual(limit);
    seen.push(...page.map((s) => s.id));
    next = /<([^>]+)>; rel="next"/.exec(response.headers.get('link') ?? '')?.[1] ?? null;
    pages++;
  }
  return { seen, pages };
}

describe('listing a flow’s schedules a page at a time', () => {
  it('serves every schedule once, oldest first, with a Link to the next page while more follow', async () => {
    const { seen, pages } = await pageThrough(3);
    expect(seen).toEqual(ids);
    expect(pages).toBe(3);
  });

  it('still answers the whole list without ?limit', async () => {
    const all = ScheduleList.parse(await (await api.fetch('/api/_flows/cleanup-flow/schedules')).json());
    expect(all.map((s) => s.id)).toEqual(ids);
  });

  it('pages through schedules stored before the paging index existed', async () => {
    const redis = new Redis(redisUrl());
    await redis.del(`{${api.prefix}:cleanup-flow}:schedule-index`);
    await redis.quit();
    expect((await pageThrough(4)).seen).toEqual(ids);
  });

  it('answers 400 for a cursor no page gave and for a limit out of range', async () => {
    for (const query of ['limit=5&cursor=nonsense', 'limit=0', 'limit=201']) {
      const response = await api.fetch(`/api/_flows/cleanup-flow/schedules?${query}`);
      expect(response.status).toBe(400);
      expect((await readProblem(response)).code).toBe('invalid_request');
    }
  });
});

describe('listing every flow’s schedules a page at a time', () => {
  it('serves every schedule once, flows by name and each flow’s oldest first, with a Link while more follow', async () => {
    const { seen, pages } = await pageThrough(4, '/api/_flows/schedules?limit=4');
    expect(seen).toEqual([...ids, ...flakyIds]);
    expect(pages).toBe(3);
    const all = ScheduleList.parse(await (await api.fetch('/api/_flows/schedules')).json());
    expect(all.map((s) => s.id)).toEqual(seen);
  });

  it('keeps the filters on every page it links to', async () => {
    const { seen } = await pageThrough(1, '/api/_flows/schedules?limit=1&tag=nightly');
    expect(seen).toEqual([flakyIds[0], flakyIds[2]]);
    const { seen: flaky } = await pageThrough(2, '/api/_flows/schedules?limit=2&flowName=flaky-flow');
    expect(flaky).toEqual(flakyIds);
  });

  it('answers 400 for a cursor no page gave', async () => {
    for (const cursor of ['nonsense', 'flaky-flow:nonsense', `Flaky:000000000:${flakyIds[0]}`]) {
      const response = await api.fetch(`/api/_flows/schedules?limit=2&cursor=${encodeURIComponent(cursor)}`);
      expect(response.status).toBe(400);
      expect((await readProblem(response)).code).toBe('invalid_request');
    }
  });
});
