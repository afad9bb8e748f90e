import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { engineSettings } from './helpers.ts';

const apiDir = fileURLToPath(new URL('..', import.meta.url));

/** Runs the API's real entry point with `env`, until it exits or prints `until`. */
function runApi(
  env: Record<string, string>,
  until?: RegExp,
): Promise<{ code: number | null; output: string }> {
  const settings = engineSettings();
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    REDIS_URL: settings.redisUrl,
    FLOWDECK_PREFIX: settings.prefix,
    PORT: '0',
    ...env,
  };
  const access = [
    'FLOWDECK_TOKENS',
    'FLOWDECK_TOKENS_FILE',
    'FLOWDECK_CORS_ORIGINS',
    'FLOWDECK_ALLOWED_HOSTS',
    'TRUST_PROXY',
  ];
  for (const key of access) if (!(key in env)) delete childEnv[key];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: apiDir,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve) => {
    const onData = (chunk: string) => {
      output += chunk;
      if (until?.test(output)) child.kill('SIGTERM');
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('starting the API', () => {
  it('refuses to start on 0.0.0.0 without tokens, saying what to set', async () => {
    const { code, output } = await runApi({ HOST: '0.0.0.0' });
    expect(code).toBe(1);
    expect(output).toContain('refusing to listen on 0.0.0.0 without API tokens');
    expect(output).toContain('FLOWDECK_TOKENS');
    expect(output).not.toContain('api listening');
  });

  it('without tokens on loopback, starts and says it is open on 127.0.0.1 only', async () => {
    const { code, output } = await runApi({ HOST: '127.0.0.1' }, /no API tokens configured/);
    expect(code).toBe(0);
    expect(output).toMatch(
      /no API tokens configured: the API is open to anyone on this machine and listens on 127\.0\.0\.1 only/,
    );
  });

  it('refuses to start with CORS and no tokens, saying what to set', async () => {
    const { code, output } = await runApi({ HOST: '127.0.0.1', FLOWDECK_CORS_ORIGINS: '*' });
    expect(code).toBe(1);
    expect(output).toContain(
      'refusing to allow cross-origin calls (FLOWDECK_CORS_ORIGINS=*) without API tokens',
    );
    expect(output).toContain('FLOWDECK_TOKENS');
    expect(output).not.toContain('api listening');
  });

  it('with CORS and tokens, starts', async () => {
    const { code, output } = await runApi(
      {
        HOST: '127.0.0.1',
        FLOWDECK_CORS_ORIGINS: 'https://ci.example',
        FLOWDECK_TOKENS: 'ci:operate:ci-secret-0123456789',
      },
      /API tokens required/,
    );
    expect(code).toBe(0);
    expect(output).toContain('api listening');
  });

  it('stops with a message naming TRUST_PROXY when it is not a setting Express understands', async () => {
    const { code, output } = await runApi({ HOST: '127.0.0.1', TRUST_PROXY: 'the-proxy' });
    expect(code).toBe(1);
    expect(output).toContain('TRUST_PROXY');
    expect(output).toContain('the-proxy');
  });

  it('stops with a message naming the entry when a token is malformed', async () => {
    const { code, output } = await runApi({
      HOST: '127.0.0.1',
      FLOWDECK_TOKENS: 'ci:superuser:0123456789abcdef',
    });
    expect(code).toBe(1);
    expect(output).toContain(
      "invalid API tokens: FLOWDECK_TOKENS: entry 1 ('ci'): the scope must be read, operate or admin",
    );
    expect(output).not.toContain('0123456789abcdef');
  });

  it('with tokens, starts and lists their names and scopes, not their secrets', async () => {
    const { code, output } = await runApi(
      { HOST: '127.0.0.1', FLOWDECK_TOKENS: 'ci:operate:ci-secret-0123456789' },
      /API tokens required/,
    );
    expect(code).toBe(0);
    expect(output).toContain('ci (operate)');
    expect(output).not.toContain('ci-secret-0123456789');
  });
});
