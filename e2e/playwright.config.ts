import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';

/**
 * Runs the console end to end against the real stack: `node scripts/start.mjs` brings up a
 * private redis-server (unless REDIS_URL is set), the worker and the API serving the built
 * console. Set FLOWDECK_E2E_URL to test an already running Flowdeck instead.
 *
 * The config is evaluated again in every test worker, so the chosen port and data folder
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

const serverEnv: Record<string, string> = {};
for (const [key, value] of Object.entries(process.env)) if (value !== undefined) serverEnv[key] = value;
serverEnv.PORT = String(port);
serverEnv.HOST = '127.0.0.1';
if (process.env.FLOWDECK_E2E_DATA_DIR) serverEnv.FLOWDECK_DATA_DIR = process.env.FLOWDECK_E2E_DATA_DIR;

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
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
    baseURL,
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
  webServer: externalUrl
    ? undefined
    : {
        command: 'node scripts/start.mjs',
        cwd: repoRoot,
        env: serverEnv,
        url: `${baseURL}/api/health`,
        reuseExistingServer: false,
        timeout: 180_000,
        stdout: process.env.FLOWDECK_E2E_LOGS ? 'pipe' : 'ignore',
        stderr: 'pipe',
        gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
      },
});
