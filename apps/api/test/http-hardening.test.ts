import type { Logger } from '@flowdeck/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../src/http/security-headers.ts';
import { readProblem, startTestApi, type TestApi } from './helpers.ts';

/** A logger that keeps its lines, to check what the API logs. */
function capturingLogger(lines: Record<string, unknown>[], base: Record<string, unknown> = {}): Logger {
  const write = (level: string) => (msg: string, fields?: Record<string, unknown>) => {
    lines.push({ level, msg, ...base, ...fields });
  };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (fields) => capturingLogger(lines, { ...base, ...fields }),
  };
}

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
