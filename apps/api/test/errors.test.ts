import { createEngine, silentLogger } from '@flowdeck/engine';
import { Health } from '@flowdeck/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { engineSettings, postJson, readProblem, startTestApi, type TestApi } from './helpers.ts';

// Runs never need to execute here: the flows are registered, no worker runs them.
let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ worker: false });
});
afterAll(async () => {
  await api.close();
});

describe('problem+json errors', () => {
  it('answers 404 flow_not_found for a flow no worker registered', async () => {
    for (const path of [
      '/api/_flows/no-such-flow',
      '/api/_flows/no-such-flow/runs',
      '/api/_flows/Not%20A%20Name',
    ]) {
      const response = await api.fetch(path);
      expect(response.status).toBe(404);
      const problem = await readProblem(response);
      expect(problem).toMatchObject({ status: 404, code: 'flow_not_found' });
      expect(problem.type).toBe('https://flowdeck.dev/problems/flow_not_found');
    }
  });

  it('answers 404 flow_not_found before validating anything else', async () => {
    const response = await api.fetch('/api/_flows/no-such-flow/start', postJson({ anything: true }));
    expect((await readProblem(response)).code).toBe('flow_not_found');
  });

  it('answers 404 run_not_found for an unknown run', async () => {
    for (const path of ['/api/_flows/example-flow/runs/nope', '/api/_flows/example-flow/runs/nope/events']) {
      const response = await api.fetch(path);
      expect(response.status).toBe(404);
      expect((await readProblem(response)).code).toBe('run_not_found');
    }
  });

  it('answers 413 for a body over 1 MiB', async () => {
    const big = { padding: 'x'.repeat(1024 * 1024) };
    const response = await api.fetch('/api/_flows/example-flow/start', postJson(big));
    expect(response.status).toBe(413);
    expect((await readProblem(response)).code).toBe('payload_too_large');
  });

  it('answers 400 for malformed JSON', async () => {
    const response = await api.fetch('/api/_flows/example-flow/start', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"records": 3,',
    });
    expect(response.status).toBe(400);
    expect((await readProblem(response)).code).toBe('invalid_json');
  });

  it('answers 415 for a body that is not sent as JSON', async () => {
    const response = await api.fetch('/api/_flows/example-flow/start', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'records=3',
    });
    expect(response.status).toBe(415);
    expect((await readProblem(response)).code).toBe('unsupported_media_type');
  });

  it('answers 400 naming the parameter when limit is outside 1..200', async () => {
    for (const limit of ['0', '201', 'ten']) {
      const response = await api.fetch(`/api/_flows/example-flow/runs?limit=${limit}`);
      expect(response.status).toBe(400);
      const problem = await readProblem(response);
      expect(problem.code).toBe('invalid_request');
      expect(problem.errors?.map((e) => e.path)).toEqual(['query.limit']);
      expect(problem.detail).toMatch(/^limit: /);
    }
  });

  it('answers 400 for an unknown run status filter', async () => {
    const response = await api.fetch('/api/_flows/example-flow/runs?status=sleeping');
    expect(response.status).toBe(400);
    expect((await readProblem(response)).errors?.[0]?.path).toBe('query.status');
  });

  it('answers 404 not_found for an unknown /api route', async () => {
    const response = await api.fetch('/api/nothing/here');
    expect(response.status).toBe(404);
    expect((await readProblem(response)).code).toBe('not_found');
  });

  it('answers 405 with Allow for a known path and another method', async () => {
    const response = await api.fetch('/api/_flows/example-flow', { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
    expect((await readProblem(response)).code).toBe('method_not_allowed');
  });
});

describe('health', () => {
  it('answers 200 with Redis and worker status while Redis answers', async () => {
    const response = await api.fetch('/api/health');
    expect(response.status).toBe(200);
    const health = Health.parse(await response.json());
    expect(health.status).toBe('ok');
    expect(health.redis.ok).toBe(true);
  });
});

describe('when Redis cannot be reached', () => {
  it('health and every other route answer 503 problem+json without a stack trace', async () => {
    // Nothing listens on port 1: every command fails as it would while Redis is down.
    const engine = createEngine({ ...engineSettings(), redisUrl: 'redis://127.0.0.1:1' });
    const server = createApp({ engine, logger: silentLogger }).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as { port: number };
    try {
      const health = await fetch(`http://127.0.0.1:${port}/api/health`);
      expect(health.status).toBe(503);
      expect(Health.parse(await health.json())).toMatchObject({
        status: 'unavailable',
        redis: { ok: false },
      });

      const flows = await fetch(`http://127.0.0.1:${port}/api/_flows`);
      expect(flows.status).toBe(503);
      const text = await flows.clone().text();
      expect(text).not.toMatch(/at .*\.ts:\d+/);
      expect(await readProblem(flows)).toMatchObject({ status: 503, code: 'redis_unavailable' });
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await engine.close();
    }
  });
});
