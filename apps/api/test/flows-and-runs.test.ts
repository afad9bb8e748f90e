import { Flow, FlowList, Run, RunList, StartFlowResponse } from '@flowdeck/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, readProblem, startTestApi, type TestApi, waitForRunToFinish } from './helpers.ts';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.close();
});

describe('flows', () => {
  it('lists the flows workers published, with steps, entry steps, input schema and liveness', async () => {
    const response = await api.fetch('/api/_flows');
    expect(response.status).toBe(200);
    const flows = FlowList.parse(await response.json());
    expect(flows.map((f) => f.name)).toEqual(['cleanup-flow', 'example-flow', 'flaky-flow']);
    const example = flows.find((f) => f.name === 'example-flow')!;
    expect(example.entrySteps).toEqual(['fetch']);
    expect(example.steps.map((s) => s.name)).toEqual(['fetch', 'transform', 'audit', 'store']);
    expect(example.live).toBe(true);
  });

  it('answers one flow by name', async () => {
    const response = await api.fetch('/api/_flows/cleanup-flow');
    expect(response.status).toBe(200);
    const flow = Flow.parse(await response.json());
    expect(flow.inputSchema).toMatchObject({ properties: { retentionDays: { type: 'integer' } } });
  });

  it('does not send x-powered-by', async () => {
    const response = await api.fetch('/api/_flows');
    expect(response.headers.get('x-powered-by')).toBeNull();
  });
});

describe('starting a run', () => {
  it('answers 202 with the run id, and the run completes with its four steps visible via GET', async () => {
    const response = await api.fetch('/api/_flows/example-flow/start', postJson({ records: 2 }));
    expect(response.status).toBe(202);
    const started = StartFlowResponse.parse(await response.json());
    expect(started).toMatchObject({ flowName: 'example-flow', status: 'queued', created: true });
    expect(response.headers.get('location')).toBe(`/api/_flows/example-flow/runs/${started.runId}`);

    const run = await waitForRunToFinish(api, 'example-flow', started.runId);
    expect(run.status).toBe('completed');
    expect(run.trigger.type).toBe('api');
    expect(run.input).toEqual({ records: 2 });
    expect(run.steps.map((s) => [s.name, s.status])).toEqual([
      ['fetch', 'completed'],
      ['transform', 'completed'],
      ['audit', 'completed'],
      ['store', 'completed'],
    ]);
  });

  it('starts with {} as the input when the request has no body', async () => {
    const response = await api.fetch('/api/_flows/example-flow/start', { method: 'POST' });
    expect(response.status).toBe(202);
    const { runId } = StartFlowResponse.parse(await response.json());
    const run = Run.parse(await (await api.fetch(`/api/_flows/example-flow/runs/${runId}`)).json());
    expect(run.input).toEqual({});
  });

  it('records a run started from the console as manual', async () => {
    const response = await api.fetch(
      '/api/_flows/cleanup-flow/start',
      postJson({ retentionDays: 3 }, { 'x-flowdeck-trigger': 'manual' }),
    );
    const { runId } = StartFlowResponse.parse(await response.json());
    const run = Run.parse(await (await api.fetch(`/api/_flows/cleanup-flow/runs/${runId}`)).json());
    expect(run.trigger.type).toBe('manual');
  });

  it('makes one run for two starts with the same Idempotency-Key', async () => {
    const request = () =>
      api.fetch(
        '/api/_flows/cleanup-flow/start',
        postJson({ retentionDays: 9 }, { 'idempotency-key': 'nightly-1' }),
      );
    const first = StartFlowResponse.parse(await (await request()).json());
    const second = StartFlowResponse.parse(await (await request()).json());
    expect(first.created).toBe(true);
    expect(second).toMatchObject({ runId: first.runId, created: false });
  });

  it('answers 422 naming the field when the input fails the flow schema', async () => {
    const response = await api.fetch('/api/_flows/cleanup-flow/start', postJson({ retentionDays: 0 }));
    expect(response.status).toBe(422);
    const problem = await readProblem(response);
    expect(problem.code).toBe('input_invalid');
    expect(problem.errors?.map((e) => e.path).join(' ')).toContain('retentionDays');
    expect(problem.detail).toContain('retentionDays');
  });

  it('passes a non-object JSON body to the flow schema, which decides (422)', async () => {
    const response = await api.fetch('/api/_flows/cleanup-flow/start', postJson(42));
    expect(response.status).toBe(422);
    expect((await readProblem(response)).code).toBe('input_invalid');
  });
});

describe('reading runs', () => {
  it('lists runs newest first and pages through them with the cursor, each run once', async () => {
    const started: string[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await api.fetch('/api/_flows/flaky-flow/start', postJson({}));
      const { runId } = StartFlowResponse.parse(await response.json());
      started.push(runId);
      // Run ids order by creation millisecond; wait for the clock to move so the order is certain.
      const { createdAt } = Run.parse(await (await api.fetch(`/api/_flows/flaky-flow/runs/${runId}`)).json());
      while (Date.now() <= createdAt) await new Promise((resolve) => setTimeout(resolve, 1));
    }

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : '?limit=2';
      const response = await api.fetch(`/api/_flows/flaky-flow/runs${query}`);
      expect(response.status).toBe(200);
      const page = RunList.parse(await response.json());
      expect(page.items.length).toBeLessThanOrEqual(2);
      for (const item of page.items) expect(item.steps.total).toBe(3);
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);

    expect(seen).toEqual([...started].reverse());
    expect(pages).toBe(3);
  });

  it('filters runs by status', async () => {
    const response = await api.fetch('/api/_flows/example-flow/runs?status=completed');
    const page = RunList.parse(await response.json());
    for (const item of page.items) expect(item.status).toBe('completed');
  });
});
