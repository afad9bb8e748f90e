import { type AuditEntry, AuditList, Schedule, ScheduleList, StartFlowResponse } from '@flowdeck/types';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DENIED_PER_MINUTE } from '../src/audit-trail.ts';
import { bearer, TOKENS, testTokens } from './access-helpers.ts';
import { capturingLogger } from './app-variants.ts';
import { postJson, redisUrl, startTestApi, type TestApi } from './helpers.ts';

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

  it('records nothing for a write refused as invalid', async () => {
    const before = await auditOf('flowName=cleanup-flow');
    const refused = await asOperator('POST', '/api/_flows/cleanup-flow/start', { retentionDays: 0 });
    expect(refused.status).toBe(422);
    expect(await auditOf('flowName=cleanup-flow')).toEqual(before);
  });

  it('records a write denied for its scope (403) as access.denied, with the token and what it tried', async () => {
    const denied = await api.fetch('/api/_flows/cleanup-flow/start', {
      method: 'POST',
      headers: { ...bearer(TOKENS.read), 'content-type': 'application/json', 'x-request-id': 'denied-403' },
      body: '{}',
    });
    expect(denied.status).toBe(403);
    const entry = await waitForEntry(api, 'flowName=cleanup-flow', 'denied-403');
    expect(entry).toMatchObject({
      action: 'access.denied',
      actor: 'reader',
      flowName: 'cleanup-flow',
      after: { status: 403, code: 'forbidden', method: 'POST', path: '/api/_flows/cleanup-flow/start' },
    });
    expect(entry.after).toHaveProperty('clientIp');
  });

  it('records a request without a valid token (401) as access.denied by anonymous, listed across flows', async () => {
    const denied = await api.fetch('/api/_audit', {
      headers: { ...bearer('stale-token-0123456789'), 'x-request-id': 'denied-401' },
    });
    expect(denied.status).toBe(401);
    const entry = await waitForEntry(api, 'limit=500', 'denied-401');
    expect(entry).toMatchObject({
      action: 'access.denied',
      actor: 'anonymous',
      after: { status: 401, code: 'unauthorized', method: 'GET', path: '/api/_audit' },
    });
    expect(entry.flowName).toBeUndefined();
    // A schedule's view holds its changes only.
    expect((await auditOf('scheduleId=s1')).filter((e) => e.action === 'access.denied')).toEqual([]);
  });

  it('is an admin view: a read or operate token gets 403', async () => {
    for (const token of [TOKENS.read, TOKENS.operate]) {
      expect((await api.fetch('/api/_audit', { headers: bearer(token) })).status).toBe(403);
    }
  });
});

describe('denied requests in the audit trail', () => {
  it(`are recorded at most ${DENIED_PER_MINUTE} a minute per client, the rest noted once in the log`, async () => {
    const lines: Record<string, unknown>[] = [];
    const own = await startTestApi({
      worker: false,
      logger: capturingLogger(lines),
      access: { tokens: testTokens() },
    });
    try {
      // The limit counts per minute of the clock: keep the flood inside one.
      const intoMinute = Date.now() % 60_000;
      if (intoMinute > 55_000) await new Promise((resolve) => setTimeout(resolve, 60_100 - intoMinute));
      for (let i = 0; i < DENIED_PER_MINUTE + 15; i += 1) {
        const response = await own.fetch('/api/_flows', { headers: { 'x-request-id': `flood-${i}` } });
        expect(response.status).toBe(401);
      }
      const denied = async () =>
        (await auditIn(own, 'limit=500', bearer(TOKENS.admin))).filter((e) => e.action === 'access.denied');
      for (let attempt = 0; attempt < 100 && (await denied()).length < DENIED_PER_MINUTE; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // The rest are dropped in the background: give them time to show up if they were not.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await denied()).toHaveLength(DENIED_PER_MINUTE);
      const notes = lines.filter(
        (line) => line.level === 'warn' && String(line.msg).includes('denied requests'),
      );
      expect(notes).toHaveLength(1);
      expect(notes[0]).toMatchObject({ clientIp: '127.0.0.1' });
    } finally {
      await own.close();
    }
  });
});

describe('when the audit write fails after the change', () => {
  it('a create still answers 201, makes exactly one schedule, logs the entry, and writes it once Redis takes it', async () => {
    const lines: Record<string, unknown>[] = [];
    const own = await startTestApi({ worker: false, logger: capturingLogger(lines) });
    const redis = new Redis(redisUrl());
    const auditKey = `{${own.prefix}:cleanup-flow}:audit`;
    try {
      // A string where the flow's audit list belongs: every write to it fails with WRONGTYPE.
      await redis.set(auditKey, 'not a list');
      const created = await own.fetch(
        '/api/_flows/cleanup-flow/schedule',
        postJson({ every: 3_600_000, input: { retentionDays: 5 } }, { 'x-request-id': 'audit-write-fails' }),
      );
      expect(created.status).toBe(201);
      const schedule = Schedule.parse(await created.json());
      const listed = ScheduleList.parse(await (await own.fetch('/api/_flows/cleanup-flow/schedules')).json());
      expect(listed.map((s) => s.id)).toEqual([schedule.id]);

      const logged = lines.find((line) => line.level === 'error' && line.requestId === 'audit-write-fails');
      expect(logged?.msg).toContain('could not write the audit entry');
      const loggedEntry = logged?.entry as AuditEntry | undefined;
      expect(loggedEntry).toMatchObject({ action: 'schedule.create', scheduleId: schedule.id });

      // Once the key is fixed, the background retry writes the entry, with the change's time.
      await redis.del(auditKey);
      const entry = await waitForEntry(own, 'flowName=cleanup-flow', 'audit-write-fails');
      expect(entry).toMatchObject({ action: 'schedule.create', scheduleId: schedule.id, actor: 'anonymous' });
      expect(entry.at).toBe(loggedEntry?.at);
    } finally {
      redis.disconnect();
      await own.close();
    }
  });
});

async function auditIn(target: TestApi, query: string, headers: Record<string, string> = {}) {
  const response = await target.fetch(`/api/_audit?${query}`, { headers });
  expect(response.status).toBe(200);
  return AuditList.parse(await response.json()).items;
}

/** Denied requests are recorded in the background, and a failed write is retried: polls for one. */
async function waitForEntry(target: TestApi, query: string, requestId: string): Promise<AuditEntry> {
  // The admin token of the API with tokens; an API without tokens ignores it.
  const headers = bearer(TOKENS.admin);
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const entry = (await auditIn(target, query, headers)).find((e) => e.requestId === requestId);
    if (entry) return entry;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no audit entry for request ${requestId}`);
}
