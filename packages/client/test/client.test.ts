import { createTokenStore, parseTokenSpecs, startTestApi, type TestApi } from '@flowdeck/api/testing';
import type { RunEvent } from '@flowdeck/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFlowdeckClient, FlowdeckApiError, type FlowdeckClient } from '../src/index.ts';

let api: TestApi;
let client: FlowdeckClient;
beforeAll(async () => {
  api = await startTestApi();
  client = createFlowdeckClient({ baseUrl: api.baseUrl });
});
afterAll(async () => {
  await api.close();
});

async function collect(events: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const all: RunEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

describe('the client', () => {
  it('lists flows and reads one, parsed with the shared schemas', async () => {
    const flows = await client.flows.list();
    expect(flows.map((flow) => flow.name)).toContain('example-flow');
    const flow = await client.flows.get('cleanup-flow');
    expect(flow.inputSchema).toMatchObject({ type: 'object' });
  });

  it('starts a run and follows its events over SSE until it completes', async () => {
    const started = await client.flows.start('example-flow', { records: 2 });
    expect(started.created).toBe(true);
    const events = await collect(client.runs.follow('example-flow', started.runId));
    expect(events[0]?.type).toBe('run.started');
    expect(events.at(-1)?.type).toBe('run.completed');
    expect(events.filter((e) => e.type === 'step.completed').map((e) => e.step)).toHaveLength(4);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);

    const run = await client.runs.get('example-flow', started.runId);
    expect(run.status).toBe('completed');
    const rest = await collect(client.runs.follow('example-flow', started.runId, { after: events[1]!.id }));
    expect(rest.map((e) => e.id)).toEqual(events.slice(2).map((e) => e.id));
    const stored = await client.runs.events('example-flow', started.runId);
    expect(stored.items.map((e) => e.id)).toEqual(events.map((e) => e.id));
  });

  it('answers the same run for a repeated idempotency key', async () => {
    const first = await client.flows.start('example-flow', {}, { idempotencyKey: 'client-test-key' });
    const again = await client.flows.start('example-flow', {}, { idempotencyKey: 'client-test-key' });
    expect(again).toMatchObject({ runId: first.runId, created: false });
    const runs = await client.runs.list('example-flow', { limit: 200 });
    expect(runs.items.some((run) => run.id === first.runId)).toBe(true);
  });

  it('throws FlowdeckApiError with the problem details the server sent', async () => {
    const missing = await client.flows.get('no-such-flow').catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(FlowdeckApiError);
    expect(missing).toMatchObject({ status: 404, code: 'flow_not_found' });

    const invalid = await client.flows.start('cleanup-flow', { retentionDays: 0 }).catch((e: unknown) => e);
    expect(invalid).toMatchObject({ status: 422, code: 'input_invalid' });
    expect((invalid as FlowdeckApiError).fieldErrors.map((e) => e.path)).toEqual(['input.retentionDays']);
  });

  it('ends following with the server error when the run does not exist', async () => {
    const error = await collect(client.runs.follow('example-flow', 'no-such-run')).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 404, code: 'run_not_found' });
  });

  it('creates, previews, edits, pauses, resumes, fires and deletes a schedule', async () => {
    const body = { every: 3_600_000, input: { retentionDays: 2 }, metadata: { tags: ['client-test'] } };
    const preview = await client.schedules.preview('cleanup-flow', body, { count: 2 });
    expect(preview.nextRuns).toHaveLength(2);
    const created = await client.schedules.create('cleanup-flow', body);
    expect((await client.schedules.listAll({ tag: 'client-test' })).map((s) => s.id)).toEqual([created.id]);
    const stale = await client.schedules
      .update('cleanup-flow', created.id, { limit: 5 }, { ifMatch: created.version + 1 })
      .catch((e: unknown) => e);
    expect(stale).toMatchObject({ status: 409, code: 'version_conflict' });
    const edited = await client.schedules.update(
      'cleanup-flow',
      created.id,
      { limit: 5 },
      { ifMatch: created.version },
    );
    expect(edited.limit).toBe(5);
    expect((await client.schedules.pause('cleanup-flow', created.id, { reason: 'test' })).status).toBe(
      'paused',
    );
    expect((await client.schedules.resume('cleanup-flow', created.id)).status).toBe('active');
    const { occurrence } = await client.schedules.trigger('cleanup-flow', created.id);
    expect(occurrence.manual).toBe(true);
    const detail = await client.schedules.get('cleanup-flow', created.id);
    expect(detail.id).toBe(created.id);
    expect((await client.schedules.delete('cleanup-flow', created.id)).success).toBe(true);
    expect(await client.schedules.list('cleanup-flow')).toEqual([]);
    // `remove`, the first name of `delete`, still works.
    expect(client.schedules.remove).toBe(client.schedules.delete);
  });

  it('pages through schedules with the cursor each page gives, one flow or every flow', async () => {
    const body = { every: 3_600_000, input: { retentionDays: 2 }, metadata: { tags: ['client-pages'] } };
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await client.schedules.create('cleanup-flow', body)).id);
    const first = await client.schedules.pageAll({ tag: 'client-pages', limit: 2 });
    expect(first.items.map((s) => s.id)).toEqual(ids.slice(0, 2));
    const second = await client.schedules.pageAll({
      tag: 'client-pages',
      limit: 2,
      cursor: first.nextCursor!,
    });
    expect(second).toMatchObject({ items: [{ id: ids[2] }], nextCursor: null });
    const own = await client.schedules.page('cleanup-flow', { limit: 2 });
    expect(own.items).toHaveLength(2);
    expect(own.nextCursor).not.toBeNull();
    for (const id of ids) await client.schedules.remove('cleanup-flow', id);
  });

  it('reports an API it cannot reach as network_error with status 0', async () => {
    const nowhere = createFlowdeckClient({ baseUrl: 'http://127.0.0.1:1' });
    const error = await nowhere.health().catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 0, code: 'network_error' });
    expect((error as Error).message).toContain('http://127.0.0.1:1');
  });

  it('reads health and the OpenAPI document', async () => {
    expect((await client.health()).status).toBe('ok');
    expect((await client.openapi()).openapi).toBe('3.1.0');
  });
});

describe('the client on runs', () => {
  it('cancels a running run with a reason; a second cancel is a 409 run_ended', async () => {
    const { runId } = await client.flows.start('example-flow', { records: 1 });
    const canceled = await client.runs.cancel('example-flow', runId, { reason: 'client test' });
    expect(canceled.status).toBe('canceled');
    const again = await client.runs.cancel('example-flow', runId).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(FlowdeckApiError);
    expect(again).toMatchObject({ status: 409, code: 'run_ended' });
    const events = await collect(client.runs.follow('example-flow', runId));
    expect(events.find((e) => e.type === 'run.canceled')).toMatchObject({ message: 'client test' });
  });

  it('retries a failed run in place, and follows it past its first failure to its last', async () => {
    const { runId } = await client.flows.start('flaky-flow', { failForGood: true });
    const first = await collect(client.runs.follow('flaky-flow', runId));
    expect(first.at(-1)?.type).toBe('run.failed');

    expect((await client.runs.retry('flaky-flow', runId)).status).toBe('running');
    const more = await collect(client.runs.follow('flaky-flow', runId, { after: first.at(-1)!.id }));
    expect(more[0]?.type).toBe('run.retried');
    expect(more.at(-1)?.type).toBe('run.failed');
    const run = await client.runs.get('flaky-flow', runId);
    expect(run.steps.find((s) => s.name === 'unreliable')?.attempts).toBe(6);

    // Followed from the start once it has ended again, the stream holds both outcomes.
    const all = await collect(client.runs.follow('flaky-flow', runId));
    expect(all.map((e) => e.id)).toEqual([...first, ...more].map((e) => e.id));
  });

  it('replays a run with its input or an edited one, linked both ways; 422 names a bad field', async () => {
    const { runId } = await client.flows.start('flaky-flow', { failForGood: true });
    await collect(client.runs.follow('flaky-flow', runId));
    const same = await client.runs.replay('flaky-flow', runId);
    expect(same).toMatchObject({ flowName: 'flaky-flow', created: true, replayOf: runId });
    expect((await client.runs.get('flaky-flow', same.runId)).input).toEqual({ failForGood: true });

    const edited = await client.runs.replay('flaky-flow', runId, { input: { failForGood: false } });
    await collect(client.runs.follow('flaky-flow', edited.runId));
    expect(await client.runs.get('flaky-flow', edited.runId)).toMatchObject({
      status: 'completed',
      input: { failForGood: false },
      trigger: { type: 'replay', of: runId },
    });
    expect((await client.runs.get('flaky-flow', runId)).replays).toEqual([same.runId, edited.runId]);
    const completed = await client.runs.retry('flaky-flow', edited.runId).catch((e: unknown) => e);
    expect(completed).toMatchObject({ status: 409, code: 'run_not_ended' });

    const invalid = await client.runs
      .replay('flaky-flow', runId, { input: { failForGood: 'yes' } })
      .catch((e: unknown) => e);
    expect(invalid).toMatchObject({ status: 422, code: 'input_invalid' });
    expect((invalid as FlowdeckApiError).fieldErrors.map((e) => e.path)).toEqual(['input.failForGood']);
    await collect(client.runs.follow('flaky-flow', same.runId));
  });

  it('deletes an ended run, which is then not found; a running one is a 409 run_not_ended', async () => {
    const { runId } = await client.flows.start('example-flow', { records: 1 });
    const running = await client.runs.remove('example-flow', runId).catch((e: unknown) => e);
    expect(running).toMatchObject({ status: 409, code: 'run_not_ended' });
    await collect(client.runs.follow('example-flow', runId));
    expect(await client.runs.remove('example-flow', runId)).toEqual({ deleted: true, runId });
    const gone = await client.runs.get('example-flow', runId).catch((e: unknown) => e);
    expect(gone).toMatchObject({ status: 404, code: 'run_not_found' });
  });
});

describe('the client with a token', () => {
  it('sends the token as a bearer, and reads who it is, the tokens and the audit trail', async () => {
    const secured = await startTestApi({
      worker: false,
      access: { tokens: createTokenStore(parseTokenSpecs(['ci:admin:ci-secret-0123456789'], 'test')) },
    });
    try {
      const anonymous = createFlowdeckClient({ baseUrl: secured.baseUrl });
      expect(await anonymous.auth.whoami()).toEqual({ authRequired: true, name: null, scopes: [] });
      const denied = await anonymous.flows.list().catch((e: unknown) => e);
      expect(denied).toMatchObject({ status: 401, code: 'unauthorized' });

      let token = 'ci-secret-0123456789';
      const ci = createFlowdeckClient({ baseUrl: secured.baseUrl, token: () => token });
      expect((await ci.auth.whoami()).name).toBe('ci');
      expect((await ci.auth.tokens()).items).toEqual([{ name: 'ci', scope: 'admin' }]);
      await ci.flows.start('example-flow', {});
      expect((await ci.audit.list({ flowName: 'example-flow' })).items[0]).toMatchObject({
        actor: 'ci',
        action: 'run.start',
      });
      token = 'changed-and-wrong-0123';
      expect(await ci.flows.list().catch((e: unknown) => e)).toMatchObject({ status: 401 });
    } finally {
      await secured.close();
    }
  });
});
