import {
  AuditList,
  BulkRunsResponse,
  DeleteRunResponse,
  ReplayRunResponse,
  Run,
  StartFlowResponse,
} from '@flowdeck/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, readProblem, startTestApi, type TestApi, waitForRunToFinish } from './helpers.ts';

/** Cancel, retry, replay and delete over HTTP, against the example worker's flows. */

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.close();
});

async function start(flow: string, input: unknown) {
  const response = await api.fetch(`/api/_flows/${flow}/start`, postJson(input));
  return StartFlowResponse.parse(await response.json()).runId;
}

const action = (flow: string, runId: string, name: string, body?: unknown) =>
  api.fetch(
    `/api/_flows/${flow}/runs/${runId}/${name}`,
    body === undefined ? { method: 'POST' } : postJson(body),
  );

describe('cancel over HTTP', () => {
  it('answers the canceled run, then 409 problem+json naming its status on a second cancel', async () => {
    const runId = await start('example-flow', { records: 1 });
    const response = await action('example-flow', runId, 'cancel', { reason: 'wrong source' });
    expect(response.status).toBe(200);
    const run = Run.parse(await response.json());
    expect(run.status).toBe('canceled');
    expect(run.steps.some((s) => s.status === 'completed')).toBe(false);

    const again = await action('example-flow', runId, 'cancel');
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = await readProblem(again);
    expect(problem.code).toBe('run_ended');
    expect(problem.detail).toMatch(/already ended \(canceled\)/);
  });

  it('refuses an unknown field in the body and an unknown run with clear errors', async () => {
    const runId = await start('example-flow', { records: 1 });
    const bad = await action('example-flow', runId, 'cancel', { reason: 'x', force: true });
    expect(bad.status).toBe(400);
    const missing = await action('example-flow', '0000000000000000000', 'cancel');
    expect(missing.status).toBe(404);
    expect((await readProblem(missing)).code).toBe('run_not_found');
    await action('example-flow', runId, 'cancel');
  });
});

describe('retry over HTTP', () => {
  it('continues a failed run with attempts numbered after the first ones; a completed run is a 409', async () => {
    const runId = await start('flaky-flow', { failForGood: true });
    const failed = await waitForRunToFinish(api, 'flaky-flow', runId);
    expect(failed.status).toBe('failed');
    expect(failed.steps.find((s) => s.name === 'unreliable')?.attempts).toBe(3);

    const response = await action('flaky-flow', runId, 'retry');
    expect(response.status).toBe(200);
    expect(Run.parse(await response.json()).status).toBe('running');
    const again = await waitForRunToFinish(api, 'flaky-flow', runId);
    expect(again.status).toBe('failed');
    expect(again.steps.map((s) => [s.name, s.status, s.attempts])).toEqual([
      ['prepare', 'completed', 1],
      ['unreliable', 'failed', 6],
      ['store', 'skipped', 0],
    ]);

    const ok = await start('flaky-flow', {});
    await waitForRunToFinish(api, 'flaky-flow', ok);
    const refused = await action('flaky-flow', ok, 'retry');
    expect(refused.status).toBe(409);
    expect((await readProblem(refused)).code).toBe('run_not_ended');
  });
});

describe('replay over HTTP', () => {
  it('starts a linked run with edited input (202 with its location), and 422 names a bad field', async () => {
    const runId = await start('flaky-flow', { failForGood: true });
    await waitForRunToFinish(api, 'flaky-flow', runId);
    const response = await action('flaky-flow', runId, 'replay', { input: { failForGood: false } });
    expect(response.status).toBe(202);
    const replay = ReplayRunResponse.parse(await response.json());
    expect(response.headers.get('location')).toBe(`/api/_flows/flaky-flow/runs/${replay.runId}`);
    const done = await waitForRunToFinish(api, 'flaky-flow', replay.runId);
    expect(done).toMatchObject({ status: 'completed', trigger: { type: 'replay', of: runId } });
    const original = Run.parse(await (await api.fetch(`/api/_flows/flaky-flow/runs/${runId}`)).json());
    expect(original.replays).toEqual([replay.runId]);

    const bad = await action('flaky-flow', runId, 'replay', { input: { failForGood: 'yes' } });
    expect(bad.status).toBe(422);
    expect((await readProblem(bad)).errors?.[0]?.path).toBe('input.failForGood');
  });
});

describe('delete over HTTP', () => {
  it('deletes an ended run (then 404) and refuses a running one with 409; both are audited', async () => {
    const running = await start('example-flow', { records: 1 });
    const refused = await api.fetch(`/api/_flows/example-flow/runs/${running}`, { method: 'DELETE' });
    expect(refused.status).toBe(409);
    expect((await readProblem(refused)).detail).toMatch(/cancel it before deleting it/);

    await action('example-flow', running, 'cancel');
    const deleted = await api.fetch(`/api/_flows/example-flow/runs/${running}`, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    expect(DeleteRunResponse.parse(await deleted.json())).toEqual({ deleted: true, runId: running });
    expect((await api.fetch(`/api/_flows/example-flow/runs/${running}`)).status).toBe(404);

    const audit = AuditList.parse(await (await api.fetch('/api/_audit?limit=50')).json());
    const actions = audit.items.filter((e) => e.runId === running).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['run.cancel', 'run.delete']));
  });
});

describe('bulk over HTTP', () => {
  it('answers a result per run, 200 even when some refused, and audits each flow', async () => {
    const failed = await start('flaky-flow', { failForGood: true });
    const running = await start('example-flow', { records: 1 });
    await waitForRunToFinish(api, 'flaky-flow', failed);
    const runs = [
      { flowName: 'flaky-flow', runId: failed },
      { flowName: 'example-flow', runId: running },
    ];
    const response = await api.fetch('/api/_runs/bulk', postJson({ action: 'cancel', runs, reason: 'bulk' }));
    expect(response.status).toBe(200);
    const answer = BulkRunsResponse.parse(await response.json());
    expect(answer.results.map((r) => [r.runId, r.ok, r.code ?? r.runStatus])).toEqual([
      [failed, false, 'run_ended'],
      [running, true, 'canceled'],
    ]);
    const audit = AuditList.parse(
      await (await api.fetch('/api/_audit?flowName=example-flow&limit=20')).json(),
    );
    expect(audit.items.find((e) => e.action === 'run.bulk')?.after).toMatchObject({
      action: 'cancel',
      acted: [running],
    });
  });

  it('refuses both runs and filter, or more than 1,000 runs, naming the field', async () => {
    const both = await api.fetch(
      '/api/_runs/bulk',
      postJson({ action: 'retry', runs: [{ flowName: 'flaky-flow', runId: 'x' }], filter: {} }),
    );
    expect(both.status).toBe(400);
    expect((await readProblem(both)).errors?.[0]?.path).toBe('body.runs');
    const runs = Array.from({ length: 1001 }, (_, i) => ({ flowName: 'flaky-flow', runId: `r${i}` }));
    const tooMany = await api.fetch('/api/_runs/bulk', postJson({ action: 'retry', runs }));
    expect(tooMany.status).toBe(400);
    expect((await readProblem(tooMany)).errors?.[0]?.path).toBe('body.runs');
  });
});
