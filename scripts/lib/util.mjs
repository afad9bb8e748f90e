import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Prints a short progress line.
 * @param {string} message
 */
export function say(message) {
  process.stdout.write(`flowdeck: ${message}\n`);
}

/**
 * The full path of an executable found on PATH, or null.
 * @param {string} name
 * @returns {string | null}
 */
export function which(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * Forwards a stream line by line, each line starting with `prefix`.
 * @param {NodeJS.ReadableStream} stream
 * @param {NodeJS.WritableStream} out
 * @param {string} prefix
 */
export function prefixLines(stream, out, prefix) {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) out.write(`${prefix}${line}\n`);
  });
  stream.on('end', () => {
    if (pending) out.write(`${prefix}${pending}\n`);
    pending = '';
  });
}

const setpriv = process.platform === 'linux' ? which('setpriv') : null;

/**
 * `spawn` with stdout and stderr piped, stdin ignored. On Linux the child also gets SIGTERM if
 * this process dies without stopping it (killed with SIGKILL, say), so nothing is left
 * running: `setpriv` (util-linux) sets the parent-death signal, then execs the command, so
 * the child's pid is the command's own.
 * @param {string} command
 * @param {string[]} args
 * @param {Omit<import('node:child_process').SpawnOptions, 'stdio'>} options
 * @returns {import('node:child_process').ChildProcessByStdio<null, import('node:stream').Readable, import('node:stream').Readable>}
 */
export function spawnGuarded(command, args, options) {
  /** @type {import('node:child_process').SpawnOptionsWithStdioTuple<'ignore', 'pipe', 'pipe'>} */
  const withStdio = { ...options, stdio: ['ignore', 'pipe', 'pipe'] };
  if (!setpriv) return spawn(command, args, withStdio);
  return spawn(setpriv, ['--pdeathsig', 'SIGTERM', '--', command, ...args], withStdio);
}

/**
 * Whether something already listens on host:port (another Flowdeck, say): the API would then
 * fail to bind while the health check, answered by the other one, said all was well.
 * @param {string} host
 * @param {number} port
 * @returns {Promise<boolean>}
 */
export function portInUse(host, port) {
  return new Promise((resolveInUse) => {
    const server = createServer();
    server.unref();
    server.once('error', (/** @type {NodeJS.ErrnoException} */ error) =>
      resolveInUse(error.code === 'EADDRINUSE'),
    );
    server.listen(port, host, () => server.close(() => resolveInUse(false)));
  });
}
