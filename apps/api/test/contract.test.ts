import { METHODS } from 'node:http';
import { Run, Schedule, StartFlowResponse } from '@flowdeck/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiPath } from '../src/openapi/parameters.ts';
import { postJson, startTestApi, type TestApi, waitForRunToFinish } from './helpers.ts';
import { type OpenApiDoc, type Operation, openApiErrors, responseValidator } from './openapi-validator.ts';

let api: TestApi;
let doc: OpenApiDoc;
let runId: string;
let scheduleId: string;
/** Runs for the run actions: one running (to cancel), one failed (to retry). */
let runningId: string;
let failedId: string;

beforeAll(async () => {
  api = await startTestApi();
  doc = (await (await api.fetch('/api/openapi.json')).json()) as OpenApiDoc;
  const started = StartFlowResponse.parse(
    await (await api.fetch('/api/_flows/example-flow/start', postJson({ records: 2 }))).json(),
  );
  runId = started.runId;
  const failing = await api.fetch('/api/_flows/flaky-flow/start', postJson({ failForGood: true }));
  failedId = StartFlowResponse.parse(await failing.json()).runId;
  await waitForRunToFinish(api, 'example-flow', runId);
  await waitForRunToFinish(api, 'flaky-flow', failedId);
  const running = await api.fetch('/api/_flows/example-flow/start', postJson({ records: 1 }));
  runningId = StartFlowResponse.parse(await running.json()).runId;
  const created = await api.fetch(
    '/api/_flows/cleanup-flow/schedule',
    postJson({ every: 3_600_000, input: { retentionDays: 3 }, metadata: { tags: ['contract'] } }),
  );
  scheduleId = Schedule.parse(await created.json()).id;
});
afterAll(async () => {
  await api.close();
});

interface Sample {
  method: string;
  path: () => string;
  body?: unknown;
  headers?: Record<string, string>;
}

const schedulePath = () => `/api/_flows/cleanup-flow/schedules/${scheduleId}`;

/** One real request per operation, in an order that keeps each valid (delete comes last). */
const samples: Record<string, Sample> = {
  health: { method: 'GET', path: () => '/api/health' },
  getOpenApi: { method: 'GET', path: () => '/api/openapi.json' },
  whoami: { method: 'GET', path: () => '/api/auth/whoami' },
  listTokens: { method: 'GET', path: () => '/api/_tokens' },
  listAudit: { method: 'GET', path: () => '/api/_audit?flowName=cleanup-flow&limit=10' },
  listFlows: { method: 'GET', path: () => '/api/_flows' },
  listAllSchedules: { method: 'GET', path: () => '/api/_flows/schedules?tag=contract' },
  getFlow: { method: 'GET', path: () => '/api/_flows/example-flow' },
  startFlow: { method: 'POST', path: () => '/api/_flows/example-flow/start', body: { records: 1 } },
  listRuns: { method: 'GET', path: () => '/api/_flows/example-flow/runs?limit=5' },
  getRun: { method: 'GET', path: () => `/api/_flows/example-flow/runs/${runId}` },
  getRunEvents: { method: 'GET', path: () => `/api/_flows/example-flow/runs/${runId}/events` },
  listAllRuns: { method: 'GET', path: () => '/api/_runs?limit=5&status=completed' },
  cancelRun: {
    method: 'POST',
    path: () => `/api/_flows/example-flow/runs/${runningId}/cancel`,
    body: { reason: 'contract' },
  },
  retryRun: { method: 'POST', path: () => `/api/_flows/flaky-flow/runs/${failedId}/retry` },
  replayRun: {
    method: 'POST',
    path: () => `/api/_flows/example-flow/runs/${runId}/replay`,
    body: { input: { records: 2 } },
  },
  createSchedule: {
    method: 'POST',
    path: () => '/api/_flows/example-flow/schedule',
    body: { cron: '0 3 * * *', tz: 'Europe/Berlin', metadata: { description: 'contract' } },
  },
  previewSchedule: {
    method: 'POST',
    path: () => '/api/_flows/example-flow/schedule/preview?count=3',
    body: { cron: '30 2 * * *', tz: 'Europe/Berlin' },
  },
  listSchedules: { method: 'GET', path: () => '/api/_flows/cleanup-flow/schedules' },
  getSchedule: { method: 'GET', path: schedulePath },
  updateSchedule: { method: 'PATCH', path: schedulePath, body: { metadata: { description: 'edited' } } },
  pauseSchedule: { method: 'POST', path: () => `${schedulePath()}/pause`, body: { reason: 'contract' } },
  resumeSchedule: { method: 'POST', path: () => `${schedulePath()}/resume`, body: {} },
  triggerSchedule: { method: 'POST', path: () => `${schedulePath()}/trigger`, body: {} },
  deleteSchedule: { method: 'DELETE', path: schedulePath },
  bulkRuns: {
    method: 'POST',
    path: () => '/api/_runs/bulk',
    body: { action: 'replay', runs: [{ flowName: 'example-flow', runId: 'missing00000000000x' }] },
  },
  deleteRun: { method: 'DELETE', path: () => `/api/_flows/example-flow/runs/${runningId}` },
};

function operations(): Array<{ method: string; path: string; operation: Operation }> {
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ method, path, operation })),
  );
}

/** The (method, path) pairs Express routes, without the 405 catch-alls (`app.all`: every method). */
function registeredRoutes(): string[] {
  interface Layer {
    route?: { path: string; methods: Record<string, boolean> };
  }
  const stack = (api.app.router as unknown as { stack: Layer[] }).stack;
  return stack.flatMap((layer) =>
    layer.route && Object.keys(layer.route.methods).length < METHODS.length
      ? Object.keys(layer.route.methods).map((method) => `${method} ${openApiPath(layer.route!.path)}`)
      : [],
  );
}

async function send(sample: Sample): Promise<Response> {
  return api.fetch(sample.path(), {
    method: sample.method,
    headers: { accept: 'application/json', 'content-type': 'application/json', ...sample.headers },
    body: sample.body === undefined ? undefined : JSON.stringify(sample.body),
  });
}

describe('the OpenAPI document', () => {
  it('is served at /api/openapi.json and is a valid OpenAPI 3.1 document', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(openApiErrors(doc)).toEqual([]);
  });

  it('documents every route Express registers, and nothing else', () => {
    const documented = operations().map(({ method, path }) => `${method} ${path}`);
    const registered = registeredRoutes();
    expect(registered.length).toBeGreaterThan(0);
    expect([...documented].sort()).toEqual([...registered].sort());
  });

  it('gives every route its parameters, and problem+json for its errors', () => {
    for (const { path, operation } of operations()) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      const parameters = (operation as { parameters?: Array<{ name: string; in: string }> }).parameters ?? [];
      expect(parameters.filter((p) => p.in === 'path').map((p) => p.name)).toEqual(names);
      const errors = Object.entries(operation.responses).filter(([status]) => Number(status) >= 400);
      expect(errors.length).toBeGreaterThan(0);
      for (const [, response] of errors) {
        expect(response.content?.['application/problem+json']?.schema).toEqual({
          $ref: '#/components/schemas/Problem',
        });
      }
    }
  });

  it('has a real request for every documented operation', () => {
    const ids = operations().map(({ operation }) => operation.operationId);
    expect([...ids].sort()).toEqual(Object.keys(samples).sort());
  });

  it("answers each operation's real request with a body that validates against the documented schema", async () => {
    const validate = responseValidator(doc);
    const byId = new Map(operations().map((entry) => [entry.operation.operationId, entry]));
    for (const [operationId, sample] of Object.entries(samples)) {
      const { operation } = byId.get(operationId)!;
      const response = await send(sample);
      const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]!;
      expect({ operationId, status: response.status, mediaType }).toMatchObject({
        status: expect.toSatisfy((status: number) => status < 300),
        mediaType: 'application/json',
      });
      expect(validate(operation, response.status, mediaType, await response.json())).toEqual([]);
    }
  });

  it('answers documented errors with bodies that validate against the Problem schema', async () => {
    const validate = responseValidator(doc);
    const byId = new Map(operations().map((entry) => [entry.operation.operationId, entry.operation]));
    const cases: Array<[string, Sample, number]> = [
      ['getFlow', { method: 'GET', path: () => '/api/_flows/no-such-flow' }, 404],
      ['getRun', { method: 'GET', path: () => '/api/_flows/example-flow/runs/nope' }, 404],
      ['listRuns', { method: 'GET', path: () => '/api/_flows/example-flow/runs?limit=0' }, 400],
      ['createSchedule', { method: 'POST', path: () => '/api/_flows/example-flow/schedule', body: {} }, 400],
      [
        'startFlow',
        { method: 'POST', path: () => '/api/_flows/cleanup-flow/start', body: { retentionDays: 0 } },
        422,
      ],
      [
        'updateSchedule',
        {
          method: 'PATCH',
          path: () => '/api/_flows/cleanup-flow/schedules/missing',
          body: { limit: 3 },
        },
        404,
      ],
    ];
    for (const [operationId, sample, status] of cases) {
      const response = await send(sample);
      expect({ operationId, status: response.status }).toEqual({ operationId, status });
      const errors = validate(
        byId.get(operationId)!,
        status,
        'application/problem+json',
        await response.json(),
      );
      expect(errors).toEqual([]);
    }
  });

  it('documents the event stream of a run as text/event-stream too', async () => {
    const events = doc.paths['/api/_flows/{name}/runs/{runId}/events']!.get!;
    expect(Object.keys(events.responses['200']!.content!)).toEqual(['application/json', 'text/event-stream']);
    const response = await api.fetch(`/api/_flows/example-flow/runs/${runId}/events`, {
      headers: { accept: 'text/event-stream' },
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await response.text();
    const run = Run.parse(await (await api.fetch(`/api/_flows/example-flow/runs/${runId}`)).json());
    expect(run.status).toBe('completed');
    expect(text).toContain('event: run.completed');
  });
});

describe('the API reference', () => {
  it('is served at /api/docs/ from local files, with the page loading only its own assets', async () => {
    const redirect = await api.fetch('/api/docs', { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/api/docs/');
    const page = await api.fetch('/api/docs/');
    expect(page.status).toBe(200);
    const html = await page.text();
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(source).not.toMatch(/^(https?:)?\/\//);
      const asset = await api.fetch(new URL(source, `${api.baseUrl}/api/docs/`).pathname);
      expect({ source, status: asset.status }).toEqual({ source, status: 200 });
    }
  });
});
