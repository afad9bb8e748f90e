// Starts a private redis-server on a free localhost port, with its append-only file in a data dir
// of our choosing. A data dir that already holds an `appendonlydir` is reused, so data survives
// a restart.

import { mkdirSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnGuarded } from './util.mjs';

const HOST = '127.0.0.1';
/** How long Redis may take to load its data and answer PING. */
const READY_TIMEOUT_MS = 120_000;
/** How long Redis may take to flush and exit after SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = 30_000;
const PORT_ATTEMPTS = 10;

/**
 * @typedef {object} PrivateRedis
 * @property {string} url `redis://127.0.0.1:<port>`
 * @property {number} port
 * @property {number} pid
 * @property {import('node:child_process').ChildProcess} process
 * @property {() => Promise<void>} stop SIGTERM, then wait for the exit (Redis flushes its AOF first).
 */

/**
 * @param {object} options
 * @param {string} options.dataDir where Redis keeps its append-only file (created if missing)
 * @param {(line: string) => void} [options.onLine] receives each line Redis prints
 * @param {boolean} [options.detached] put Redis in its own process group, so a Ctrl-C in the
 *   terminal reaches only the parent, which then stops Redis last
 * @param {string} [options.bin] the redis-server executable
 * @param {number} [options.port] listen on this port (e.g. to restart a Redis where clients expect
 *   it) instead of a free one
 * @returns {Promise<PrivateRedis>}
 */
export async function startRedis({
  dataDir,
  onLine = () => {},
  detached = false,
  bin = 'redis-server',
  port,
}) {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  if (port !== undefined) return launch({ bin, port, dir, onLine, detached });
  let lastError = /** @type {Error | null} */ (null);
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    const port = await freePort();
    try {
      return await launch({ bin, port, dir, onLine, detached });
    } catch (error) {
      // Another process may have taken the port between our probe and Redis's bind: try another.
      if (!(error instanceof PortTakenError)) throw error;
      lastError = error;
    }
  }
  throw new Error(`redis-server could not bind a free port after ${PORT_ATTEMPTS} attempts`, {
    cause: lastError,
  });
}

class PortTakenError extends Error {}

/**
 * A TCP port that was free a moment ago: listen on port 0, read the port, close.
 * (`redis-server --port 0` would mean "no TCP listener", not "any port".)
 * @returns {Promise<number>}
 */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * @param {{ bin: string, port: number, dir: string, onLine: (line: string) => void, detached: boolean }} options
 * @returns {Promise<PrivateRedis>}
 */
async function launch({ bin, port, dir, onLine, detached }) {
  // biome-ignore format: one flag per line reads better
  const args = [
    '--port', String(port),
    '--bind', HOST,
    '--hz', '100',
    '--appendonly', 'yes',
    '--dir', dir,
    '--save', '',
    '--daemonize', 'no',
    '--protected-mode', 'yes',
    '--maxmemory-policy', 'noeviction',
  ];
  const child = spawnGuarded(bin, args, { detached });
  /** @type {string[]} */
  const output = [];
  const record = (/** @type {string} */ line) => {
    output.push(line);
    if (output.length > 50) output.shift();
    onLine(line);
  };
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) record(line);
    });
    stream.on('end', () => pending && record(pending));
  }

  /** @type {Promise<{ code: number | null, signal: NodeJS.Signals | null }>} */
  const exited = new Promise((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit({ code, signal }));
  });
  let hasExited = false;
  exited.then(() => {
    hasExited = true;
  });
  /** @type {Promise<never>} */
  const failed = new Promise((_, reject) => {
    child.once('error', (error) => reject(new Error(`could not start ${bin}: ${error.message}`)));
    exited.then(({ code, signal }) => {
      const text = output.join('\n');
      if (/address already in use/i.test(text)) reject(new PortTakenError(`port ${port} is taken`));
      else
        reject(new Error(`redis-server exited (${signal ?? `code ${code}`}) before it was ready:\n${text}`));
    });
  });

  const stop = async () => {
    if (hasExited || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };

  const ready = waitForPong(port, () => hasExited);
  try {
    await Promise.race([ready, failed]);
  } catch (error) {
    await stop();
    throw error;
  }
  failed.catch(() => {});
  if (child.pid === undefined) throw new Error('redis-server has no pid');
  return { url: `redis://${HOST}:${port}`, port, pid: child.pid, process: child, stop };
}

/**
 * Sends PING until Redis answers +PONG (it answers -LOADING while it reads its data).
 * @param {number} port
 * @param {() => boolean} gaveUp
 */
async function waitForPong(port, gaveUp) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!gaveUp()) {
    if ((await ping(port)) === 'PONG') return;
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer PING`);
    await sleep(25);
  }
}

/**
 * One raw RESP PING. Resolves with the reply line without its type byte, or null on failure.
 * @param {number} port
 * @param {string} [host]
 * @returns {Promise<string | null>}
 */
export function ping(port, host = HOST) {
  return new Promise((resolvePing) => {
    const socket = createConnection({ port, host });
    let reply = '';
    const done = (/** @type {string | null} */ value) => {
      socket.destroy();
      resolvePing(value);
    };
    socket.setTimeout(2000, () => done(null));
    socket.on('error', () => done(null));
    socket.on('connect', () => socket.write('*1\r\n$4\r\nPING\r\n'));
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      reply += chunk;
      const end = reply.indexOf('\r\n');
      if (end !== -1) done(reply.slice(1, end));
    });
    socket.on('end', () => done(null));
  });
}
