// `npm test`: installs what is missing (including chromium for the browser tests), then runs
// every check in order, keeps going when one fails, and ends with one line: `N passed, N failed`.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnsureError, ensureChromium, ensureOpenssl, ensureRedis, ensureTooling } from './lib/ensure.mjs';
import { repoRoot } from './lib/util.mjs';

/** @typedef {{ name: string, passed: number, failed: number, skipped: number, note?: string }} Outcome */

/** @type {Outcome[]} */
const outcomes = [];
const reports = mkdtempSync(join(tmpdir(), 'flowdeck-test-'));

function header(/** @type {string} */ title) {
  process.stdout.write(`\n━━━ ${title} ━━━\n`);
}

/**
 * Runs a command with the terminal attached.
 * @param {string} command
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} [extraEnv]
 */
function run(command, args, extraEnv = {}) {
  const result = spawnSync(command, args, {
    cwd: repoRoot,
    stdio: 'inherit',
    env: { ...process.env, ...extraEnv },
  });
  if (result.error) process.stderr.write(`could not run ${command}: ${result.error.message}\n`);
  return result.status ?? 1;
}

/**
 * A check that passes or fails as a whole counts as one test.
 * @param {string} name
 * @param {string[]} args arguments to pnpm
 */
function check(name, args) {
  header(name);
  const ok = run('pnpm', args) === 0;
  outcomes.push({ name, passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0 });
}

/** @param {string} path */
function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

function vitest() {
  const name = 'vitest';
  header(`${name} (unit and integration tests)`);
  const output = join(reports, 'vitest.json');
  const status = run('pnpm', [
    'exec',
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile=${output}`,
  ]);
  const report = readJson(output);
  if (!report) {
    outcomes.push({ name, passed: 0, failed: 1, skipped: 0, note: 'crashed without a report' });
    return;
  }
  let failed = report.numFailedTests ?? 0;
  // A test file that fails to load or whose hooks fail has no failed test of its own.
  for (const file of report.testResults ?? []) {
    const failedTests = (file.assertionResults ?? []).filter(
      (/** @type {{ status: string }} */ t) => t.status === 'failed',
    );
    if (file.status === 'failed' && failedTests.length === 0) failed += 1;
  }
  if (status !== 0 && failed === 0) failed = 1;
  outcomes.push({
    name,
    passed: report.numPassedTests ?? 0,
    failed,
    skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
  });
}

function playwright() {
  const name = 'playwright';
  header(`${name} (browser tests)`);
  const config = join(repoRoot, 'e2e', 'playwright.config.ts');
  if (!existsSync(config)) {
    process.stdout.write('e2e/playwright.config.ts does not exist yet; skipping the browser tests.\n');
    outcomes.push({ name, passed: 0, failed: 0, skipped: 0, note: 'no e2e/playwright.config.ts yet' });
    return;
  }
  const output = join(reports, 'pw.json');
  const status = run(
    'pnpm',
    ['exec', 'playwright', 'test', '-c', 'e2e/playwright.config.ts', '--reporter=list,json'],
    {
      PLAYWRIGHT_JSON_OUTPUT_NAME: output,
    },
  );
  const report = readJson(output);
  if (!report?.stats) {
    outcomes.push({ name, passed: 0, failed: 1, skipped: 0, note: 'crashed without a report' });
    return;
  }
  const { expected = 0, unexpected = 0, flaky = 0, skipped = 0 } = report.stats;
  let failed = unexpected;
  // Errors outside any test (config, global setup, web server) fail the run without failing a test.
  if (failed === 0 && (report.errors?.length ?? 0) > 0) failed = 1;
  if (status !== 0 && failed === 0) failed = 1;
  outcomes.push({ name, passed: expected + flaky, failed, skipped });
}

/**
 * Runs one install step. A failure is counted as a failed test and reported; the other
 * steps still run (lint or the unit tests do not need Chromium, for example).
 * @param {string} name
 * @param {() => void} step
 */
function install(name, step) {
  try {
    step();
    return true;
  } catch (error) {
    if (!(error instanceof EnsureError)) throw error;
    process.stderr.write(`flowdeck: ${error.message}\n`);
    outcomes.push({ name, passed: 0, failed: 1, skipped: 0, note: error.message.split('\n')[0] });
    return false;
  }
}

function main() {
  header('installing what is missing');
  // Without pnpm and the workspace packages nothing else can run.
  if (!install('setup: pnpm and workspace packages', ensureTooling)) return;
  // Vitest uses REDIS_URL if set; the tests of `npm start` always need redis-server.
  install('setup: redis-server', ensureRedis);
  install('setup: openssl', ensureOpenssl);
  const hasChromium = install('setup: chromium', ensureChromium);
  check('pnpm lint', ['lint']);
  check('pnpm format:check', ['format:check']);
  check('pnpm typecheck', ['typecheck']);
  check('console build', ['--filter', '@flowdeck/console', 'build']);
  vitest();
  if (hasChromium) playwright();
}

try {
  main();
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  outcomes.push({ name: 'test runner', passed: 0, failed: 1, skipped: 0, note: 'crashed' });
} finally {
  rmSync(reports, { recursive: true, force: true });
}

header('summary');
let passed = 0;
let failed = 0;
for (const outcome of outcomes) {
  passed += outcome.passed;
  failed += outcome.failed;
  // Worded unlike the final line, which is the only one in the `N passed, N failed` form.
  const skipped = outcome.skipped ? `, skipped ${outcome.skipped}` : '';
  const note = outcome.note ? ` (${outcome.note})` : '';
  const mark = outcome.failed ? '✗' : '✓';
  process.stdout.write(
    `${mark} ${outcome.name}: passed ${outcome.passed}, failed ${outcome.failed}${skipped}${note}\n`,
  );
}
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 ? 1 : 0);
