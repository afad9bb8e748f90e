import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, TOKENS, testTokens } from './access-helpers.ts';
import { readProblem, startTestApi, type TestApi } from './helpers.ts';

// A day-long window, so the test never straddles two windows.
const DAY_MS = 86_400_000;
let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({
    worker: false,
    access: { tokens: testTokens(), writeRateLimit: 3, writeWindowMs: DAY_MS },
  });
});
afterAll(async () => {
  await api.close();
});

const start = (token: string) =>
  api.fetch('/api/_flows/example-flow/start', {
    method: 'POST',
    headers: { ...bearer(token), 'content-type': 'application/json' },
    body: '{}',
  });

describe('the write rate limit', () => {
  it('answers 429 with Retry-After once a token has made its writes for the window', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const response = await start(TOKENS.operate);
      statuses.push(response.status);
      expect(response.headers.get('ratelimit-remaining')).toBe(String(2 - i));
    }
    expect(statuses).toEqual([202, 202, 202]);
    const limited = await start(TOKENS.operate);
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(DAY_MS / 1000);
    const problem = await readProblem(limited);
    expect(problem).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(problem.detail).toContain("'operator'");
  });

  it('counts each token on its own, and never limits reads', async () => {
    expect((await start(TOKENS.admin)).status).toBe(202);
    for (let i = 0; i < 5; i += 1) {
      expect((await api.fetch('/api/_flows', { headers: bearer(TOKENS.operate) })).status).toBe(200);
    }
  });
});
