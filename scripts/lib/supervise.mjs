// Keeps one process of `npm start` running: when it exits on its own it is started again after
// 1 s, then 2, 4, … up to 30 s while it keeps failing; once a run has lasted a minute, the next
// restart waits 1 s again. Stopping (halt) is left to the caller, which knows the order.

import { setTimeout as sleep } from 'node:timers/promises';
import { say } from './util.mjs';

const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 30_000;
/** A run this long was healthy: a crash after it is restarted after the first delay again. */
const STABLE_MS = 60_000;

/**
 * @typedef {object} Run one started process
 * @property {import('node:child_process').ChildProcess} child
 * @property {Promise<string>} exited how it ended (`signal SIGKILL`, `code 1`), once it has
 */

/**
 * @template {Run} R
 * @typedef {object} Supervisor
 * @property {() => R | null} current the process, unless it has exited and is not back yet
 * @property {() => Promise<R | null>} halt no more restarts; resolves, once a start under way
 *   has finished, with the process to stop (or null)
 */

/**
 * Starts a process and restarts it whenever it exits on its own, until halted.
 * @template {Run} R
 * @param {object} options
 * @param {string} options.name as the log calls it: `worker`, `api`, `redis-server`
 * @param {() => Promise<R>} options.start starts it; rejects if it could not
 * @param {(how: string) => boolean} options.shouldRestart asked on each exit; false leaves it down
 * @param {string} [options.meanwhile] what happens until it is back, for the log
 * @returns {Promise<Supervisor<R>>} once the first start has succeeded (rejects if it failed)
 */
export async function supervise({ name, start, shouldRestart, meanwhile }) {
  /** @type {R | null} */
  let current = null;
  let halted = false;
  const abort = new AbortController();
  /** @type {Promise<R>} */
  let starting;
  const launch = () => {
    starting = start().then((run) => {
      current = run;
      return run;
    });
    return starting;
  };

  /** @param {R} run */
  async function keepRunning(run) {
    let failures = 0;
    while (!halted) {
      const startedAt = Date.now();
      const how = await run.exited;
      current = null;
      if (halted || !shouldRestart(how)) return;
      if (Date.now() - startedAt >= STABLE_MS) failures = 0;
      let why = `exited (${how})`;
      /** @type {R | null} */
      let next = null;
      while (!next) {
        const delayMs = Math.min(FIRST_DELAY_MS * 2 ** failures++, MAX_DELAY_MS);
        say(`${name} ${why}; restarting in ${delayMs / 1000} s${meanwhile ? `; ${meanwhile}` : ''}`);
        const waited = await sleep(delayMs, true, { signal: abort.signal }).catch(() => false);
        if (!waited) return;
        next = await launch().catch((/** @type {Error} */ error) => {
          why = `could not be started (${error.message})`;
          return null;
        });
        if (halted) return;
      }
      say(`${name} restarted (pid ${next.child.pid})`);
      run = next;
    }
  }
  void keepRunning(await launch());

  return {
    current: () => current,
    async halt() {
      halted = true;
      abort.abort();
      await starting.catch(() => {});
      return current;
    },
  };
}

/**
 * How a child process ended, as `signal SIGKILL` or `code 1`, once it has.
 * @param {import('node:child_process').ChildProcess} child
 * @returns {Promise<string>}
 */
export function exitOf(child) {
  const how = (/** @type {number | null} */ code, /** @type {string | null} */ signal) =>
    signal ? `signal ${signal}` : `code ${code}`;
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(how(child.exitCode, child.signalCode));
    child.once('error', (error) => resolve(`could not start: ${error.message}`));
    child.once('exit', (code, signal) => resolve(how(code, signal)));
  });
}
