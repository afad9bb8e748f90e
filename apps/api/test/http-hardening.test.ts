import { AuditList, Problem, RunList } from '@flowdeck/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostnameOf, isAllowedHost } from '../src/http/host-check.ts';
import { CONTENT_SECURITY_POLICY } from '../src/http/security-headers.ts';
import { bearer, TOKENS, testTokens } from './access-helpers.ts';
import { capturingLogger, rawRequest, startVariant } from './app-variants.ts';
import { readProblem, startTestApi, type TestApi } from './helpers.ts';

const logLines: Record<string, unknown>[] = [];
let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ worker: false, logger: capturingLogger(logLines) });
});
afterAll(async () => {
  await api.close();
});

const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe('security headers', () => {
  it('come with every answer: JSON, problem+json and the API reference', async () => {
    for (const path of ['/api/_flows', '/api/_flows/nope', '/api/docs/', '/api/nothing']) {
      const response = await api.fetch(path);
      await response.body?.cancel();
      expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(response.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('allow only this origin for scripts, and no framing', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|https?:/);
  });
});

describe('CORS', () => {
  it('is off unless origins are configured: no Access-Control header for any origin', async () => {
    const simple = await api.fetch('/api/_flows', { headers: { origin: 'https://evil.example' } });
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await api.fetch('/api/_flows/example-flow/start', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers the configured origins only, preflight included', async () => {
    const open = await startTestApi({ worker: false, corsOrigins: ['https://ci.example'] });
    const base = open.baseUrl;
    try {
      const allowed = await fetch(`${base}/api/_flows`, { headers: { origin: 'https://ci.example' } });
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://ci.example');
      expect(allowed.headers.get('vary')).toMatch(/origin/i);
      expect(allowed.headers.get('access-control-expose-headers')).toContain('x-request-id');
      const other = await fetch(`${base}/api/_flows`, { headers: { origin: 'https://evil.example' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
      const preflight = await fetch(`${base}/api/_flows/example-flow/start`, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://ci.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type',
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
      expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    } finally {
      await open.close();
    }
  });
});

describe('JSON depth', () => {
  it('refuses a body nested deeper than 128 levels with 400 json_too_deep, before parsing it', async () => {
    const response = await api.fetch('/api/_flows/example-flow/start', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: nested(129),
    });
    expect(response.status).toBe(400);
    expect((await readProblem(response)).code).toBe('json_too_deep');
  });

  it('does not count brackets inside strings', async () => {
    const response = await api.fetch('/api/_flows/example-flow/start', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ note: '['.repeat(500), escaped: '\\"[[[' }),
    });
    expect(response.status).toBe(202);
  });
});

describe('request ids', () => {
  it('are sent back, put in problem+json and logged with the request', async () => {
    const response = await api.fetch('/api/_flows/no-such-flow');
    const id = response.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await readProblem(response)).requestId).toBe(id);
    expect(logLines.some((line) => line.msg === 'request' && line.requestId === id)).toBe(true);
  });

  it("keep a caller's plain X-Request-Id and replace one that is not", async () => {
    const kept = await api.fetch('/api/_flows', { headers: { 'x-request-id': 'proxy-abc.123' } });
    expect(kept.headers.get('x-request-id')).toBe('proxy-abc.123');
    const replaced = await api.fetch('/api/_flows', { headers: { 'x-request-id': 'bad id <script>' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('request ids', () => {
  it('are kept up to 128 safe characters, and replaced when longer or with other characters', async () => {
    const longest = 'a'.repeat(128);
    const kept = await api.fetch('/api/_flows', { headers: { 'x-request-id': longest } });
    expect(kept.headers.get('x-request-id')).toBe(longest);
    for (const given of ['a'.repeat(129), 'id\twith-tab', 'ünïcode', 'a;b', '"quoted"']) {
      const response = await api.fetch('/api/_flows', { headers: { 'x-request-id': given } });
      expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('are logged and stored in the audit trail only after they are sanitised', async () => {
    const given = `${'x'.repeat(200)}<script>`;
    const response = await api.fetch('/api/_flows/example-flow/start', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': given },
      body: '{}',
    });
    expect(response.status).toBe(202);
    const id = response.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const audit = AuditList.parse(await (await api.fetch('/api/_audit?flowName=example-flow')).json());
    expect(audit.items.find((entry) => entry.requestId === id)).toBeDefined();
    expect(JSON.stringify(audit)).not.toContain('<script>');
    expect(JSON.stringify(logLines)).not.toContain('<script>');
  });
});

describe('host names (DNS rebinding)', () => {
  const port = () => Number(new URL(api.baseUrl).port);
  const runCount = async () =>
    RunList.parse(await (await api.fetch('/api/_flows/example-flow/runs?limit=200')).json()).items.length;

  it('without tokens, another host name gets 403 host_not_allowed naming the setting, and starts no run', async () => {
    const before = await runCount();
    const response = await rawRequest(port(), {
      method: 'POST',
      path: '/api/_flows/example-flow/start',
      headers: { host: 'evil.example:3000', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(403);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = Problem.parse(JSON.parse(response.body));
    expect(problem.code).toBe('host_not_allowed');
    expect(problem.detail).toContain('FLOWDECK_ALLOWED_HOSTS=evil.example');
    expect(await runCount()).toBe(before);
  });

  it('without tokens, refuses reads and the console pages too', async () => {
    for (const path of ['/api/_audit', '/api/_flows', '/', '/flows']) {
      const response = await rawRequest(port(), { path, headers: { host: 'evil.example' } });
      expect({ path, status: response.status }).toEqual({ path, status: 403 });
    }
  });

  it('serves loopback names: localhost, 127.0.0.1, [::1] and *.localhost', async () => {
    for (const host of [
      'localhost:3000',
      '127.0.0.1',
      '[::1]:3000',
      'flowdeck.localhost:3000',
      'LOCALHOST.',
    ]) {
      const response = await rawRequest(port(), { path: '/api/_flows', headers: { host } });
      expect({ host, status: response.status }).toEqual({ host, status: 200 });
    }
  });

  it('serves the names of FLOWDECK_ALLOWED_HOSTS, `.example.org` naming every name under it', async () => {
    const variant = await startVariant(api, { allowedHosts: ['flowdeck.internal', '.example.org'] });
    try {
      const statusOf = async (host: string) =>
        (await rawRequest(variant.port, { path: '/api/_flows', headers: { host } })).status;
      expect(await statusOf('flowdeck.internal:3000')).toBe(200);
      expect(await statusOf('ops.example.org')).toBe(200);
      expect(await statusOf('example.org')).toBe(200);
      expect(await statusOf('evilexample.org')).toBe(403);
      expect(await statusOf('flowdeck.internal.evil.example')).toBe(403);
    } finally {
      await variant.close();
    }
  });

  it('with tokens, leaves the host name unchecked unless FLOWDECK_ALLOWED_HOSTS is set', async () => {
    const withTokens = await startVariant(api, { access: { tokens: testTokens() } });
    const listed = await startVariant(api, {
      access: { tokens: testTokens() },
      allowedHosts: ['flowdeck.internal'],
    });
    try {
      const get = (port: number, host: string) =>
        rawRequest(port, { path: '/api/_flows', headers: { host, ...bearer(TOKENS.read) } });
      expect((await get(withTokens.port, 'flowdeck.example.com')).status).toBe(200);
      expect((await get(listed.port, 'flowdeck.internal')).status).toBe(200);
      const refused = await get(listed.port, 'flowdeck.example.com');
      expect(refused.status).toBe(403);
      expect(Problem.parse(JSON.parse(refused.body)).code).toBe('host_not_allowed');
    } finally {
      await withTokens.close();
      await listed.close();
    }
  });

  it('reads the name from the Host header: ports, brackets and case do not matter', () => {
    expect(hostnameOf('LocalHost:3000')).toBe('localhost');
    expect(hostnameOf('[::1]:3000')).toBe('::1');
    expect(hostnameOf('127.0.0.1')).toBe('127.0.0.1');
    expect(isAllowedHost('127.9.9.9', [])).toBe(true);
    expect(isAllowedHost('', [])).toBe(false);
    expect(isAllowedHost('localhost.evil.example', [])).toBe(false);
    expect(isAllowedHost('0.0.0.0', [])).toBe(false);
  });
});

describe('behind a TLS proxy (TRUST_PROXY)', () => {
  const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.7' };

  it('with TRUST_PROXY, sends HSTS for a request that came over HTTPS and logs the forwarded client address', async () => {
    const lines: Record<string, unknown>[] = [];
    const variant = await startVariant(api, { trustProxy: ['loopback'], logger: capturingLogger(lines) });
    try {
      const response = await rawRequest(variant.port, {
        path: '/api/health',
        headers: { host: '127.0.0.1', 'x-request-id': 'behind-proxy', ...forwarded },
      });
      expect(response.status).toBe(200);
      expect(response.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      const logged = lines.find((line) => line.msg === 'request' && line.requestId === 'behind-proxy');
      expect(logged?.clientIp).toBe('203.0.113.7');
    } finally {
      await variant.close();
    }
  });

  it('with TRUST_PROXY, records the forwarded client address of a denied request in the audit trail', async () => {
    const variant = await startVariant(api, { trustProxy: ['loopback'], access: { tokens: testTokens() } });
    try {
      const denied = await rawRequest(variant.port, {
        path: '/api/_flows',
        headers: { host: '127.0.0.1', 'x-request-id': 'denied-behind-proxy', ...forwarded },
      });
      expect(denied.status).toBe(401);
      const entry = await waitForAuditEntry(api, 'denied-behind-proxy');
      expect(entry.after).toMatchObject({ clientIp: '203.0.113.7', status: 401 });
    } finally {
      await variant.close();
    }
  });

  it('without TRUST_PROXY, believes no X-Forwarded header: no HSTS, the socket address in the log', async () => {
    const response = await rawRequest(Number(new URL(api.baseUrl).port), {
      path: '/api/health',
      headers: { host: '127.0.0.1', 'x-request-id': 'not-behind-proxy', ...forwarded },
    });
    expect(response.status).toBe(200);
    expect(response.headers['strict-transport-security']).toBeUndefined();
    const logged = logLines.find((line) => line.msg === 'request' && line.requestId === 'not-behind-proxy');
    expect(logged?.clientIp).toBe('127.0.0.1');
  });
});

/** Denied requests are recorded in the background: polls the audit trail for one. */
async function waitForAuditEntry(target: TestApi, requestId: string) {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const { items } = AuditList.parse(await (await target.fetch('/api/_audit?limit=500')).json());
    const entry = items.find((item) => item.requestId === requestId);
    if (entry) return entry;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no audit entry for request ${requestId}`);
}
