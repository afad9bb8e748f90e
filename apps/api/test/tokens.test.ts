import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Whoami } from '@flowdeck/types';
import { describe, expect, it } from 'vitest';
import { bindingProblem, corsProblem, isLoopback } from '../src/auth/bind-policy.ts';
import { createTokenStore, loadTokens, parseTokenSpecs } from '../src/auth/tokens.ts';
import { bearer, TOKENS, testTokens } from './access-helpers.ts';
import { startTestApi } from './helpers.ts';

describe('API tokens from the environment and a file', () => {
  it('reads name:scope:token entries and verifies a token to its name and scope', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flowdeck-tokens-'));
    try {
      const file = join(dir, 'tokens');
      await writeFile(file, '# deploy robots\nci:operate:ci-secret-0123456789:with-colon\n\n');
      const store = await loadTokens({ tokens: 'viewer:read:viewer-secret-0123456789', tokensFile: file });
      expect(store.required).toBe(true);
      expect(store.entries).toEqual([
        { name: 'viewer', scope: 'read' },
        { name: 'ci', scope: 'operate' },
      ]);
      expect(store.verify('ci-secret-0123456789:with-colon')).toEqual({ name: 'ci', scope: 'operate' });
      expect(store.verify('viewer-secret-0123456789')).toEqual({ name: 'viewer', scope: 'read' });
      expect(store.verify('viewer-secret-012345678')).toBeNull();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps only hashes: the store holds no secret', () => {
    const store = createTokenStore(parseTokenSpecs(['ci:admin:the-secret-value-123'], 'FLOWDECK_TOKENS'));
    expect(JSON.stringify(store.entries)).not.toContain('the-secret-value-123');
  });

  it('refuses a bad scope, a short token and a duplicate name, without echoing the secret', () => {
    expect(() => parseTokenSpecs(['ci:root:long-enough-secret-123'], 'FLOWDECK_TOKENS')).toThrow(
      "FLOWDECK_TOKENS: entry 1 ('ci'): the scope must be read, operate or admin, not 'root'",
    );
    const short = () => parseTokenSpecs(['ok:read:long-enough-secret-1', 'ci:read:short'], 'FLOWDECK_TOKENS');
    expect(short).toThrow(/entry 2 \('ci'\): the token must be at least 16 characters/);
    expect(short).not.toThrow(/short$/);
    const twice = parseTokenSpecs(['ci:read:long-enough-secret-1', 'ci:admin:long-enough-secret-2'], 'x');
    expect(() => createTokenStore(twice)).toThrow("two API tokens are named 'ci'");
  });
});

describe('where the API may listen', () => {
  it('treats 127.x, ::1 and localhost as loopback, and nothing else', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost'])
      expect(isLoopback(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.5', 'example.com']) expect(isLoopback(host)).toBe(false);
  });

  it('refuses a non-loopback host without tokens, saying what to set', () => {
    expect(bindingProblem('0.0.0.0', false)).toMatch(/FLOWDECK_TOKENS=name:scope:token.*HOST=127\.0\.0\.1/);
    expect(bindingProblem('0.0.0.0', true)).toBeNull();
    expect(bindingProblem('127.0.0.1', false)).toBeNull();
  });

  it('refuses CORS without tokens, saying what to set', () => {
    expect(corsProblem(['*'], false)).toMatch(/FLOWDECK_CORS_ORIGINS=\*.*FLOWDECK_TOKENS=name:scope:token/);
    expect(corsProblem(['https://ci.example'], false)).toContain('without API tokens');
    expect(corsProblem(['*'], true)).toBeNull();
    expect(corsProblem([], false)).toBeNull();
  });
});

describe('public routes and a token that is not valid', () => {
  const stale = [
    bearer('revoked-token-0123456789'),
    { authorization: 'Basic dXNlcjpwYXNz' },
    { authorization: 'Bearer' },
  ];

  it('health and openapi.json answer 200 whatever Authorization header comes with them', async () => {
    const api = await startTestApi({ worker: false, access: { tokens: testTokens() } });
    try {
      for (const headers of stale) {
        for (const path of ['/api/health', '/api/openapi.json']) {
          const response = await api.fetch(path, { headers });
          await response.body?.cancel();
          expect({ path, headers, status: response.status }).toEqual({ path, headers, status: 200 });
        }
      }
    } finally {
      await api.close();
    }
  });

  it('whoami, where clients check a token, answers 200 saying a token it cannot verify is not valid', async () => {
    const api = await startTestApi({ worker: false, access: { tokens: testTokens() } });
    try {
      for (const headers of stale) {
        const response = await api.fetch('/api/auth/whoami', { headers });
        expect(response.status).toBe(200);
        expect(Whoami.parse(await response.json())).toEqual({
          authRequired: true,
          name: null,
          scopes: [],
          tokenError: 'the token is not valid: check it, or ask for a new one',
        });
      }
      const none = await api.fetch('/api/auth/whoami');
      expect(Whoami.parse(await none.json())).toEqual({ authRequired: true, name: null, scopes: [] });
      const valid = await api.fetch('/api/auth/whoami', { headers: bearer(TOKENS.operate) });
      expect(Whoami.parse(await valid.json())).toMatchObject({ name: 'operator' });
    } finally {
      await api.close();
    }
  });

  it('other routes still answer 401 to the same token', async () => {
    const api = await startTestApi({ worker: false, access: { tokens: testTokens() } });
    try {
      const response = await api.fetch('/api/_flows', { headers: bearer('revoked-token-0123456789') });
      await response.body?.cancel();
      expect(response.status).toBe(401);
    } finally {
      await api.close();
    }
  });
});
