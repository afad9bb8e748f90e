// Installs what Flowdeck needs and is missing: pnpm, the workspace packages, redis-server and,
// for the browser tests, chromium (`npm test` also installs openssl, for the TLS tests). Does nothing (quickly) when everything is present.
//
//   node scripts/lib/ensure.mjs [--chromium] [--no-redis]
//
// Plain Node with no dependencies: it runs before `pnpm install`.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot, say, which } from './util.mjs';

export const PNPM_VERSION = '12.21.0';
export const CHROMIUM_PATH = '/usr/bin/chromium';
const STAMP = join(repoRoot, 'node_modules', '.flowdeck-stamp');
const LOCKFILE = join(repoRoot, 'pnpm-lock.yaml');

/** A missing prerequisite that could not be installed; `message` says what to do. */
export class EnsureError extends Error {
  /** @override */
  name = 'EnsureError';
}

/**
 * @param {{ redis?: boolean, chromium?: boolean }} [options]
 *   redis: make sure `redis-server` is on PATH (default true).
 *   chromium: make sure /usr/bin/chromium exists (default false; only the browser tests need it).
 */
export function ensure({ redis = true, chromium = false } = {}) {
  ensureTooling();
  if (redis) ensureRedis();
  if (chromium) ensureChromium();
}

/** Node.js recent enough, pnpm, and the workspace packages as the lockfile says. */
export function ensureTooling() {
  checkNode();
  ensurePnpm();
  ensurePackages();
}

/** `redis-server` on PATH. */
export function ensureRedis() {
  if (which('redis-server')) return;
  aptInstall(
    'redis-server',
    'Install Redis 7: sudo apt-get install redis-server, or set REDIS_URL to a running Redis.',
  );
  if (!which('redis-server')) {
    throw new EnsureError('redis-server is still not on PATH after installing it; check your PATH.');
  }
}

/** `openssl` on PATH: the TLS tests make their certificate authority with it. */
export function ensureOpenssl() {
  if (which('openssl')) return;
  aptInstall('openssl', 'Install OpenSSL for the TLS tests: sudo apt-get install openssl.');
  if (!which('openssl')) throw new EnsureError('openssl is still not on PATH after installing it.');
}

/** Chromium at /usr/bin/chromium, for the browser tests. */
export function ensureChromium() {
  if (existsSync(CHROMIUM_PATH)) return;
  aptInstall(
    'chromium',
    `Install Chromium for the browser tests: sudo apt-get install chromium (${CHROMIUM_PATH}).`,
  );
  if (!existsSync(CHROMIUM_PATH))
    throw new EnsureError(`${CHROMIUM_PATH} is still missing after installing it.`);
}

function checkNode() {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    throw new EnsureError(`Flowdeck needs Node.js 20.19 or newer; this is ${process.version}.`);
  }
}

function ensurePnpm() {
  if (run('pnpm', ['--version']).status === 0) return;
  say(`installing pnpm@${PNPM_VERSION}…`);
  const npm = run('npm', ['install', '--global', `pnpm@${PNPM_VERSION}`]);
  if (npm.status !== 0 || run('pnpm', ['--version']).status !== 0) {
    throw new EnsureError(
      `Could not install pnpm.${tail(npm)}\nInstall pnpm ${PNPM_VERSION}: npm install --global pnpm@${PNPM_VERSION}`,
    );
  }
}

function lockfileHash() {
  if (!existsSync(LOCKFILE)) throw new EnsureError(`${LOCKFILE} is missing; restore it from git.`);
  return createHash('sha256').update(readFileSync(LOCKFILE)).digest('hex');
}

function ensurePackages() {
  const hash = lockfileHash();
  const stamp = existsSync(STAMP) ? readFileSync(STAMP, 'utf8').trim() : null;
  if (stamp === hash) return;
  say(stamp ? 'the lockfile changed; installing workspace packages…' : 'installing workspace packages…');
  const install = spawnSync('pnpm', ['install', '--frozen-lockfile'], { cwd: repoRoot, stdio: 'inherit' });
  if (install.status !== 0) {
    throw new EnsureError('pnpm install --frozen-lockfile failed (see above).');
  }
  writeFileSync(STAMP, `${hash}\n`);
}

/**
 * Installs a Debian package with apt-get, running `apt-get update` only if the first attempt fails.
 * @param {string} pkg
 * @param {string} advice what to tell someone who cannot run apt-get here
 */
function aptInstall(pkg, advice) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !which('apt-get')) {
    throw new EnsureError(`${pkg} is missing. ${advice}`);
  }
  say(`installing ${pkg}…`);
  const args = ['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', pkg];
  let result = run('apt-get', args);
  if (result.status !== 0) {
    say('updating the apt package lists…');
    const update = run('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'update']);
    if (update.status !== 0) throw new EnsureError(`apt-get update failed.${tail(update)}\n${advice}`);
    say(`installing ${pkg}…`);
    result = run('apt-get', args);
  }
  if (result.status !== 0) throw new EnsureError(`apt-get install ${pkg} failed.${tail(result)}\n${advice}`);
}

/**
 * @param {string} command
 * @param {string[]} args
 */
function run(command, args) {
  return spawnSync(command, args, {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

/** The last lines of a failed command's output, for the error message. */
function tail(/** @type {import('node:child_process').SpawnSyncReturns<string>} */ result) {
  if (result.error) return `\n${result.error.message}`;
  const text = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  return text ? `\n${text.split('\n').slice(-15).join('\n')}` : '';
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  try {
    ensure({ chromium: args.includes('--chromium'), redis: !args.includes('--no-redis') });
  } catch (error) {
    if (!(error instanceof EnsureError)) throw error;
    process.stderr.write(`flowdeck: ${error.message}\n`);
    process.exit(1);
  }
}
