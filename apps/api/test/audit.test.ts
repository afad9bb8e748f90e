import { AuditList, Schedule, StartFlowResponse } from '@flowdeck/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, TOKENS, testTokens } from './access-helpers.ts';
import { startTestApi, type TestApi } from './helpers.ts';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ access: { tokens: testTokens() } });
});
afterAll(async () => {
  await api.close();
});

const asOperator = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  api.fetch(path, {
    method,
    headers: { ...bearer(TOKENS.operate), 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

async function auditOf(query: string) {
  const response = await api.fetch(`/api/_audit?${query}`, { headers: bearer(TOKENS.admin) });
  expect(response.status).toBe(200);
  return AuditList.parse(await response.json()).items;
}

describe('the audit trail', () => {
  it('records each schedule write with the actor and the state before and after', async () => {
    const base = '/api/_flows/cleanup-flow';
    const created = Schedule.parse(
      await (
        await asOperator('POST', `${base}/schedule`, {
          every: 3_600_000,
          input: { retentionDays: 5 },
          metadata: { description: 'audited', createdBy: 'someone-else' },
        })
      ).json(),
    );
    // Who created it comes from the token, not from the body.
    expect(created.metadata.createdBy).toBe('operator');
    const path = `${base}/schedules/${created.id}`;
    const edited = await asOperator('PATCH', path, { limit: 7, metadata: { createdBy: 'forged' } });
    expect(Schedule.parse(await edited.json()).metadata.createdBy).toBe('operator');
    expect((await asOperator('POST', `${path}/pause`, { reason: 'audit test' })).status).toBe(200);
    expect((await asOperator('POST', `${path}/resume`, {})).status).toBe(200);
    expect((await asOperator('POST', `${path}/trigger`, {})).status).toBe(202);
    expect((await asOperator('DELETE', path)).status).toBe(200);

    const entries = await auditOf(`flowName=cleanup-flow&scheduleId=${created.id}`);
    expect(entries.map((e) => e.action)).toEqual([
      'schedule.delete',
      'schedule.trigger',
      'schedule.resume',
      'schedule.pause',
      'schedule.update',
      'schedule.create',
    ]);
    for (const entry of entries) {
      expect(entry).toMatchObject({ actor: 'operator', flowName: 'cleanup-flow', scheduleId: created.id });
      expect(entry.requestId).toEqual(expect.any(String));
    }
    const byAction = Object.fromEntries(entries.map((e) => [e.action, e]));
    expect(byAction['schedule.create']!.after).toMatchObject({ id: created.id, limit: null });
    expect(byAction['schedule.update']!.before).toMatchObject({ limit: null, version: 1 });
    expect(byAction['schedule.update']!.after).toMatchObject({ limit: 7, version: 2 });
    expect(byAction['schedule.pause']!.before).toMatchObject({ status: 'active' });
    expect(byAction['schedule.pause']!.after).toMatchObject({ status: 'paused', pausedReason: 'audit test' });
    expect(byAction['schedule.resume']!.after).toMatchObject({ status: 'active' });
    expect(byAction['schedule.trigger']!.after).toMatchObject({ manual: true });
    expect(byAction['schedule.delete']!.before).toMatchObject({ id: created.id });
  });

  it('records a run start with its input, and the request id the caller got', async () => {
    const response = await asOperator('POST', '/api/_flows/example-flow/start', { records: 2 });
    const { runId } = StartFlowResponse.parse(await response.json());
    const entries = await auditOf('flowName=example-flow');
    const entry = entries.find((e) => e.runId === runId);
    expect(entry).toMatchObject({
      action: 'run.start',
      actor: 'operator',
      after: { input: { records: 2 }, created: true },
      requestId: response.headers.get('x-request-id'),
    });
  });

  it('records nothing for refused writes', async () => {
    const before = await auditOf('flowName=cleanup-flow');
    const refused = await asOperator('POST', '/api/_flows/cleanup-flow/start', { retentionDays: 0 });
    expect(refused.status).toBe(422);
    const denied = await api.fetch('/api/_flows/cleanup-flow/start', {
      method: 'POST',
      headers: { ...bearer(TOKENS.read), 'content-type': 'application/json' },
      body: '{}',
    });
    expect(denied.status).toBe(403);
    expect(await auditOf('flowName=cleanup-flow')).toEqual(before);
  });

  it('is an admin view: a read or operate token gets 403', async () => {
    for (const token of [TOKENS.read, TOKENS.operate]) {
      expect((await api.fetch('/api/_audit', { headers: bearer(token) })).status).toBe(403);
    }
  });
});
