import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';
import { FLOWDECK_TOKENS } from './auth/tokens.ts';

/**
 * Runs the console end to end against the real stack: `node scripts/start.mjs` brings up a
 * private redis-server (unless REDIS_URL is set), the worker and the API serving the built
 * console. Set FLOWDECK_E2E_URL to test an already running Flowdeck instead.
 *
 * The sign-in tests (auth/) run against a second stack started with FLOWDECK_TOKENS, so the
 * main suite's stack stays tokenless as `npm start` is by default.
 *
 * The config is evaluated again in every test worker, so the chosen ports and data folders
 * are handed down through the environment rather than chosen twice.
 */
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not pick a free port'));
      });
    });
  });
}

const externalUrl = process.env.FLOWDECK_E2E_URL;
if (!externalUrl && !process.env.FLOWDECK_E2E_PORT) {
  process.env.FLOWDECK_E2E_PORT = String(await freePort());
}
if (!externalUrl && !process.env.REDIS_URL && !process.env.FLOWDECK_E2E_DATA_DIR) {
  process.env.FLOWDECK_E2E_DATA_DIR = mkdtempSync(join(tmpdir(), 'flowdeck-e2e-'));
}
const port = process.env.FLOWDECK_E2E_PORT;
const baseURL = externalUrl ?? `http://127.0.0.1:${port}`;

const externalAuthUrl = process.env.FLOWDECK_E2E_AUTH_URL;
if (!externalAuthUrl && !process.env.FLOWDECK_E2E_AUTH_PORT) {
  process.env.FLOWDECK_E2E_AUTH_PORT = String(await freePort());
}
if (!externalAuthUrl && !process.env.REDIS_URL && !process.env.FLOWDECK_E2E_AUTH_DATA_DIR) {
  process.env.FLOWDECK_E2E_AUTH_DATA_DIR = mkdtempSync(join(tmpdir(), 'flowdeck-e2e-auth-'));
}
const authPort = process.env.FLOWDECK_E2E_AUTH_PORT;
const authBaseURL = externalAuthUrl ?? `http://127.0.0.1:${authPort}`;

const inherited: Record<string, string> = {};
for (const [key, value] of Object.entries(process.env)) if (value !== undefined) inherited[key] = value;
// Neither stack takes tokens from the environment the tests run in.
delete inherited.FLOWDECK_TOKENS;
delete inherited.FLOWDECK_TOKENS_FILE;

const serverEnv: Record<string, string> = { ...inherited, PORT: String(port), HOST: '127.0.0.1' };
if (process.env.FLOWDECK_E2E_DATA_DIR) serverEnv.FLOWDECK_DATA_DIR = process.env.FLOWDECK_E2E_DATA_DIR;

const authServerEnv: Record<string, string> = {
  ...inherited,
  PORT: String(authPort),
  HOST: '127.0.0.1',
  FLOWDECK_TOKENS,
  ...(externalUrl ? {} : { FLOWDECK_E2E_WAIT_FOR: `${baseURL}/api/health` }),
};
if (process.env.FLOWDECK_E2E_AUTH_DATA_DIR) {
  authServerEnv.FLOWDECK_DATA_DIR = process.env.FLOWDECK_E2E_AUTH_DATA_DIR;
}
// Two stacks on one Redis (REDIS_URL) keep apart by key prefix.
if (process.env.REDIS_URL) authServerEnv.FLOWDECK_PREFIX = 'e2eauth';

const server = {
  cwd: repoRoot,
  reuseExistingServer: false,
  timeout: 180_000,
  stdout: process.env.FLOWDECK_E2E_LOGS ? ('pipe' as const) : ('ignore' as const),
  stderr: 'pipe' as const,
  gracefulShutdown: { signal: 'SIGTERM' as const, timeout: 15_000 },
};

export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  projects: [
    { name: 'console', testIgnore: 'auth/**', use: { baseURL } },
    { name: 'console-with-tokens', testMatch: 'auth/*.spec.ts', use: { baseURL: authBaseURL } },
  ],
  // Screenshots and traces of failures; FLOWDECK_E2E_ARTIFACTS moves them (e.g. for parallel checkouts).
  outputDir: process.env.FLOWDECK_E2E_ARTIFACTS ?? join(repoRoot, 'e2e/.artifacts'),
  // One stack is shared by all tests; each test keeps to its own schedules and runs.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI
    ? [['list'], ['json', { outputFile: join(repoRoot, 'e2e/.artifacts/results.json') }]]
    : 'list',
  use: {
    browserName: 'chromium',
    headless: true,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    timezoneId: 'UTC',
    locale: 'en-US',
    viewport: { width: 1440, height: 900 },
    launchOptions: {
      executablePath: process.env.FLOWDECK_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  webServer: [
    ...(externalUrl
      ? []
      : [{ ...server, command: 'node scripts/start.mjs', env: serverEnv, url: `${baseURL}/api/health` }]),
    ...(externalAuthUrl
      ? []
      : [
          {
            ...server,
            command: 'node e2e/start-after.mjs',
            env: authServerEnv,
            url: `${authBaseURL}/api/health`,
          },
        ]),
  ],
});
