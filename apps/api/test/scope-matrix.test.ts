import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../src/routes.ts';
import { bearer, TOKENS, testTokens } from './access-helpers.ts';
import { readProblem, startTestApi, type TestApi } from './helpers.ts';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ worker: false, access: { tokens: testTokens() } });
});
afterAll(async () => {
  await api.close();
});

type Caller = 'none' | 'read' | 'operate' | 'admin';
const CALLERS: Caller[] = ['none', 'read', 'operate', 'admin'];
const RANK: Record<Caller, number> = { none: 0, read: 1, operate: 2, admin: 3 };

/**
 * What each caller gets: 401 without a token, 403 below the route's scope, else what the route
 * answers. Flow routes name a flow that does not exist, so an allowed call is a 404 and no
 * write happens; it also shows that access is checked before anything is looked up.
 */
function expected(route: (typeof routes)[number], caller: Caller): number {
  // A bulk request needs an action, so the empty body an allowed caller sends is a 400.
  const allowed = route.flowScoped ? 404 : route.operationId === 'bulkRuns' ? 400 : 200;
  if (route.scope === 'public') return allowed;
  if (caller === 'none') return 401;
  return RANK[caller] >= RANK[route.scope] ? allowed : 403;
}

function request(route: (typeof routes)[number], caller: Caller) {
  const path = route.path.replace(':name', 'no-such-flow').replace(':runId', 'r1').replace(':id', 's1');
  const headers: Record<string, string> = caller === 'none' ? {} : bearer(TOKENS[caller]);
  const hasBody = route.method === 'post' || route.method === 'patch';
  if (hasBody) headers['content-type'] = 'application/json';
  return api.fetch(path, { method: route.method.toUpperCase(), headers, body: hasBody ? '{}' : undefined });
}

describe('access by scope', () => {
  it('answers every route × no token / read / operate / admin as its scope says', async () => {
    const actual: Record<string, Record<Caller, number>> = {};
    const wanted: Record<string, Record<Caller, number>> = {};
    for (const route of routes) {
      const key = `${route.method.toUpperCase()} ${route.path} (${route.scope})`;
      actual[key] = {} as Record<Caller, number>;
      wanted[key] = {} as Record<Caller, number>;
      for (const caller of CALLERS) {
        const response = await request(route, caller);
        await response.body?.cancel();
        actual[key][caller] = response.status;
        wanted[key][caller] = expected(route, caller);
      }
    }
    expect(actual).toEqual(wanted);
  });

  it('lets only an admin delete runs in bulk, as deleting one run', async () => {
    const body = JSON.stringify({ action: 'delete', runs: [{ flowName: 'no-such-flow', runId: 'r1' }] });
    const as = (caller: 'operate' | 'admin') =>
      api.fetch('/api/_runs/bulk', {
        method: 'POST',
        headers: { ...bearer(TOKENS[caller]), 'content-type': 'application/json' },
        body,
      });
    const refused = await as('operate');
    expect(refused.status).toBe(403);
    expect((await readProblem(refused)).detail).toMatch(/deleting runs needs admin/);
    const allowed = await as('admin');
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toMatchObject({
      succeeded: 0,
      failed: 1,
      results: [{ code: 'run_not_found' }],
    });
  });

  it('declares a scope on every route, and operate or more on every write', () => {
    // Deleting a run loses its record for good: admins only.
    const adminWrites = new Set(['deleteRun']);
    for (const route of routes) {
      expect(['public', 'read', 'operate', 'admin']).toContain(route.scope);
      if (route.method !== 'get' && route.operationId !== 'previewSchedule') {
        const scope = adminWrites.has(route.operationId) ? 'admin' : 'operate';
        expect({ route: route.path, scope: route.scope }).toEqual({ route: route.path, scope });
        expect(route.audit).toBeDefined();
      }
    }
  });

  it('answers 401 unauthorized with WWW-Authenticate for a missing, malformed or unknown token', async () => {
    for (const headers of [{}, { authorization: 'Basic abc' }, bearer('not-a-token-of-ours-at-all')]) {
      const response = await api.fetch('/api/_flows', { headers });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="flowdeck"');
      expect(await readProblem(response)).toMatchObject({ code: 'unauthorized', status: 401 });
    }
  });

  it('answers 403 forbidden naming the token, its scope and the scope needed', async () => {
    const response = await api.fetch('/api/_flows/example-flow/start', {
      method: 'POST',
      headers: { ...bearer(TOKENS.read), 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(403);
    const problem = await readProblem(response);
    expect(problem.code).toBe('forbidden');
    expect(problem.detail).toContain("'reader' has the read scope");
    expect(problem.detail).toContain('needs operate');
  });

  it('authorises run event streams like any other read', async () => {
    const path = '/api/_flows/example-flow/runs/r1/events';
    const denied = await api.fetch(path, { headers: { accept: 'text/event-stream' } });
    expect(denied.status).toBe(401);
    const allowed = await api.fetch(path, {
      headers: { accept: 'text/event-stream', ...bearer(TOKENS.read) },
    });
    expect(allowed.status).toBe(404);
    expect((await readProblem(allowed)).code).toBe('run_not_found');
  });
});

describe('whoami', () => {
  it('says that a token is needed, and whose a token is with its scopes', async () => {
    expect(await (await api.fetch('/api/auth/whoami')).json()).toEqual({
      authRequired: true,
      name: null,
      scopes: [],
    });
    const reader = await api.fetch('/api/auth/whoami', { headers: bearer(TOKENS.read) });
    expect(await reader.json()).toEqual({ authRequired: true, name: 'reader', scopes: ['read'] });
    const boss = await api.fetch('/api/auth/whoami', { headers: bearer(TOKENS.admin) });
    expect(await boss.json()).toEqual({
      authRequired: true,
      name: 'boss',
      scopes: ['read', 'operate', 'admin'],
    });
  });

  it('lists the token names and scopes to an admin, never the secrets', async () => {
    const response = await api.fetch('/api/_tokens', { headers: bearer(TOKENS.admin) });
    const text = await response.text();
    expect(JSON.parse(text).items).toEqual([
      { name: 'reader', scope: 'read' },
      { name: 'operator', scope: 'operate' },
      { name: 'boss', scope: 'admin' },
    ]);
    for (const secret of Object.values(TOKENS)) expect(text).not.toContain(secret);
  });

  it('on an API without tokens, everyone is anonymous with every scope', async () => {
    const open = await startTestApi({ worker: false });
    try {
      expect(await (await open.fetch('/api/auth/whoami')).json()).toEqual({
        authRequired: false,
        name: 'anonymous',
        scopes: ['read', 'operate', 'admin'],
      });
    } finally {
      await open.close();
    }
  });
});
