// `npm start`: installs what is missing, builds the console if it is stale, starts a private
// Redis (unless REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS is set), the worker and the API,
// restarts any of them that exits on its own once Flowdeck is up, and stops them all on
// Ctrl-C/SIGTERM.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EnsureError, ensure } from './lib/ensure.mjs';
import { startRedis } from './lib/redis.mjs';
import { exitOf, supervise } from './lib/supervise.mjs';
import { portInUse, prefixLines, repoRoot, say, spawnGuarded } from './lib/util.mjs';

const env = process.env;
const host = env.HOST || '127.0.0.1';
const port = env.PORT || '3000';
const dataDir = resolve(env.FLOWDECK_DATA_DIR || join(repoRoot, '.flowdeck'));
const graceMs = /^\d+$/.test(env.SHUTDOWN_GRACE_MS ?? '') ? Number(env.SHUTDOWN_GRACE_MS) : 30_000;
const consoleDir = join(repoRoot, 'apps', 'console');
const lockFile = join(dataDir, 'flowdeck.pid');

/** @typedef {import('./lib/supervise.mjs').Run & { name: string }} Service */
/** @typedef {import('./lib/supervise.mjs').Run & import('./lib/redis.mjs').PrivateRedis} RedisRun */

/** The worker and the API. @type {import('./lib/supervise.mjs').Supervisor<Service>[]} */
const services = [];
/** @type {import('./lib/supervise.mjs').Supervisor<RedisRun> | null} */
let redis = null;
/** @type {Promise<import('./lib/supervise.mjs').Supervisor<RedisRun>> | null} */
let redisStarting = null;
/** Set once Flowdeck is running: from then on a process that exits is restarted. */
let up = false;
let stopping = false;
let ownsLock = false;

/** The Redis Flowdeck should use, if the environment names one; else a private one is started. */
const externalRedis = env.REDIS_CLUSTER_NODES
  ? 'the Redis Cluster at REDIS_CLUSTER_NODES'
  : env.REDIS_SENTINELS
    ? 'the Redis behind REDIS_SENTINELS'
    : env.REDIS_URL
      ? 'the Redis at REDIS_URL'
      : null;

async function main() {
  // The private redis-server speaks plain TCP only.
  if (!externalRedis && /^(on|true)$/.test(env.REDIS_TLS ?? '')) {
    return shutdown(
      1,
      'REDIS_TLS=on needs a Redis of your own: set REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS.',
    );
  }
  try {
    ensure({ redis: !externalRedis, chromium: false });
  } catch (error) {
    if (error instanceof EnsureError) return shutdown(1, error.message);
    throw error;
  }
  if (!buildConsoleIfStale()) return shutdown(1, 'the console build failed (see above).');
  if (Number(port) !== 0 && (await portInUse(host, Number(port)))) {
    return shutdown(
      1,
      `port ${port} on ${host} is already in use (another Flowdeck?): stop it, or set PORT.`,
    );
  }

  let redisUrl = env.REDIS_URL;
  /** @type {RedisRun | null} */
  let firstRedis = null;
  if (!externalRedis) {
    takeLock();
    say(`starting redis-server (data in ${join(dataDir, 'redis')})…`);
    // A free port at first; a restart uses the same one, which the worker and the API were given.
    /** @type {number | undefined} */
    let redisPort;
    redisStarting = supervise({
      name: 'redis-server',
      start: async () => {
        const run = await startPrivateRedis(redisPort);
        redisPort = run.port;
        return run;
      },
      shouldRestart: restartOnceUp('redis-server'),
      meanwhile: 'until it is back the API answers 503 (Redis is unavailable)',
    });
    redis = await redisStarting;
    firstRedis = /** @type {RedisRun} */ (redis.current());
    redisUrl = firstRedis.url;
  } else {
    say(`using ${externalRedis}`);
  }
  if (stopping) return;

  // The API and the worker run in their own folders: relative paths given here are made absolute.
  const childEnv = {
    ...env,
    ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
    HOST: host,
    PORT: port,
    FLOWDECK_CONSOLE_DIR: resolve(env.FLOWDECK_CONSOLE_DIR || join(consoleDir, 'dist')),
    ...(env.FLOWDECK_FLOWS ? { FLOWDECK_FLOWS: resolve(env.FLOWDECK_FLOWS) } : {}),
    ...(env.REDIS_TLS_CA_FILE ? { REDIS_TLS_CA_FILE: resolve(env.REDIS_TLS_CA_FILE) } : {}),
  };
  const pids = [];
  for (const name of ['worker', 'api']) {
    const cwd = join(repoRoot, 'apps', name);
    const service = await supervise({
      name,
      start: async () => startService(name, cwd, childEnv),
      shouldRestart: restartOnceUp(name),
    });
    services.push(service);
    pids.push(`${name}=${service.current()?.child.pid}`);
  }
  say(`pids redis=${firstRedis?.pid ?? 'external'} ${pids.join(' ')}`);

  const url = `http://${browsableHost(host)}:${port}`;
  if (await waitForReady(`${url}/api/health`)) {
    up = true;
    say(`Flowdeck is running at ${url}`);
  }
}

/**
 * Once Flowdeck is up, a process that exits is restarted. Before, its exit stops everything: a
 * misconfiguration shows at once instead of restarting forever.
 * @param {string} name
 */
function restartOnceUp(name) {
  return (/** @type {string} */ how) => {
    if (up && !stopping) return true;
    void shutdown(1, `the ${name} exited unexpectedly (${how}).`);
    return false;
  };
}

/**
 * A private redis-server, on a free port or on `port` (a restart: where the others connect).
 * @param {number} [port]
 * @returns {Promise<RedisRun>}
 */
async function startPrivateRedis(port) {
  const redis = await startRedis({
    dataDir: join(dataDir, 'redis'),
    detached: true,
    port,
    onLine: (line) => process.stdout.write(`[redis] ${line}\n`),
  });
  return { ...redis, child: redis.process, exited: exitOf(redis.process) };
}

/**
 * Runs `node --import tsx src/main.ts` in `cwd`, directly (not through a package manager) so
 * signals reach it, in its own process group so a terminal Ctrl-C reaches only us.
 * @param {string} name
 * @param {string} cwd
 * @param {NodeJS.ProcessEnv} childEnv
 * @returns {Service}
 */
function startService(name, cwd, childEnv) {
  const child = spawnGuarded(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd,
    env: childEnv,
    detached: true,
  });
  prefixLines(child.stdout, process.stdout, `[${name}] `);
  prefixLines(child.stderr, process.stderr, `[${name}] `);
  return { name, child, exited: exitOf(child) };
}

/**
 * Polls the API's health until Redis answers and a worker is live, or Flowdeck is stopping. A live
 * worker has published its flows, so "running" means a flow can be started, not just that the API
 * listens (a start in between was a 404 for a flow not published yet).
 * @param {string} healthUrl
 */
async function waitForReady(healthUrl) {
  const startedAt = Date.now();
  let nagged = false;
  while (!stopping) {
    try {
      const response = await fetch(healthUrl, { signal: AbortSignal.timeout(2000) });
      const health = response.ok
        ? /** @type {{ workers?: { live?: number } }} */ (await response.json())
        : null;
      if ((health?.workers?.live ?? 0) > 0) return !stopping;
    } catch {
      // not listening yet
    }
    if (!nagged && Date.now() - startedAt > 30_000) {
      say(`still waiting for ${healthUrl} to report Redis up and a live worker…`);
      nagged = true;
    }
    await sleep(100);
  }
  return false;
}

/**
 * Stops the API and the worker (SIGTERM, then SIGKILL after SHUTDOWN_GRACE_MS + 5 s), then Redis,
 * then exits with `exitCode`.
 * @param {number} exitCode
 * @param {string} [reason]
 */
async function shutdown(exitCode, reason) {
  if (stopping) return;
  stopping = true;
  if (reason) process.stderr.write(`flowdeck: ${reason}\n`);
  // No more restarts; a process being started again right now is stopped once it is up.
  const redisLeft = redis?.halt();
  const running = (await Promise.all(services.map((service) => service.halt()))).filter(isRunning);
  if (running.length > 0 || redisStarting) say('stopping…');
  for (const service of running) service.child.kill('SIGTERM');
  const limitMs = graceMs + 5000;
  const allExited = Promise.all(running.map((service) => service.exited));
  const timer = sleep(limitMs, 'timeout', { ref: false });
  if ((await Promise.race([allExited, timer])) === 'timeout') {
    for (const service of running.filter(isRunning)) {
      say(`the ${service.name} did not stop within ${limitMs} ms; killing it`);
      service.child.kill('SIGKILL');
    }
    await allExited;
  }
  // A signal may arrive while Redis is still starting: wait for it, then stop it.
  if (!redis && redisStarting) redis = await redisStarting.catch(() => null);
  const redisRun = await (redisLeft ?? redis?.halt());
  if (redisRun) await redisRun.stop();
  releaseLock();
  process.exit(exitCode);
}

/** A second Ctrl-C while stopping: do not wait for running jobs any longer. */
function forceStop() {
  for (const service of currentServices().filter(isRunning)) {
    say(`killing the ${service.name}`);
    service.child.kill('SIGKILL');
  }
}

function currentServices() {
  return services.flatMap((service) => service.current() ?? []);
}

/**
 * @param {Service | null} service
 * @returns {service is Service}
 */
function isRunning(service) {
  if (!service) return false;
  return (
    service.child.pid !== undefined && service.child.exitCode === null && service.child.signalCode === null
  );
}

/** @param {string} name */
function browsableHost(name) {
  if (name === '0.0.0.0' || name === '::') return '127.0.0.1';
  return name.includes(':') ? `[${name}]` : name;
}

/**
 * Builds the console when apps/console/dist/index.html is missing or older than any of its
 * sources. Returns false if the build failed.
 */
function buildConsoleIfStale() {
  const built = join(consoleDir, 'dist', 'index.html');
  const sources = [
    join(consoleDir, 'src'),
    join(consoleDir, 'public'),
    join(consoleDir, 'index.html'),
    join(consoleDir, 'package.json'),
    join(consoleDir, 'tsconfig.json'),
    join(consoleDir, 'vite.config.ts'),
    join(consoleDir, 'vite-plugins'),
    join(repoRoot, 'packages', 'types', 'src'),
    join(repoRoot, 'packages', 'client', 'src'),
  ];
  if (existsSync(built)) {
    const builtAt = statSync(built).mtimeMs;
    if (sources.every((source) => newestMtime(source) <= builtAt)) return true;
  }
  say('building the console…');
  const build = spawnSync('pnpm', ['--filter', '@flowdeck/console', 'build'], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
  return build.status === 0;
}

/**
 * The latest modification time of a file or of any file under a folder (0 if it does not exist).
 * @param {string} path
 * @returns {number}
 */
function newestMtime(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

/** Refuses to share a data dir with another running Flowdeck: two Redis servers on one AOF corrupt it. */
function takeLock() {
  mkdirSync(dataDir, { recursive: true });
  if (existsSync(lockFile)) {
    const other = Number(readFileSync(lockFile, 'utf8').trim());
    if (other && other !== process.pid && isAlive(other)) {
      throw new EnsureError(
        `Flowdeck is already running on ${dataDir} (pid ${other}). Stop it, or set FLOWDECK_DATA_DIR to another folder.`,
      );
    }
  }
  writeFileSync(lockFile, `${process.pid}\n`);
  ownsLock = true;
}

function releaseLock() {
  if (!ownsLock) return;
  rmSync(lockFile, { force: true });
  ownsLock = false;
}

/** @param {number} pid */
function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return /** @type {NodeJS.ErrnoException} */ (error).code === 'EPERM';
  }
}

for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.on(signal, () => {
    if (stopping) forceStop();
    else void shutdown(0);
  });
}

// Last resort if this script itself crashes: leave nothing running.
process.on('exit', () => {
  for (const service of currentServices().filter(isRunning)) service.child.kill('SIGKILL');
  const redisProcess = redis?.current()?.process;
  if (redisProcess?.exitCode === null && redisProcess.signalCode === null) redisProcess.kill('SIGTERM');
  releaseLock();
});

main().catch((error) => {
  void shutdown(1, error instanceof EnsureError ? error.message : (error?.stack ?? String(error)));
});
