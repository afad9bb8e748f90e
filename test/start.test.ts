import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../scripts/lib/redis.mjs';
import { repoRoot } from '../scripts/lib/util.mjs';

// Runs the real `npm start` script end to end: private redis-server, worker and API.
// The first start may build the console, hence the generous per-test timeout.
const TIMEOUT = 300_000;

interface Pids {
  redis: number;
  worker: number;
  api: number;
}

interface Flowdeck {
  baseUrl: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  pids: Promise<Pids>;
}

const started: Flowdeck[] = [];
const tempDirs: string[] = [];

afterEach(async () => {
  // A failed test must not leave anything running.
  for (const flowdeck of started.splice(0)) {
    if (!hasExited(flowdeck)) {
      flowdeck.child.kill('SIGKILL');
      await flowdeck.exited;
    }
    const pids = await Promise.race([flowdeck.pids, Promise.resolve(null)]);
    for (const pid of Object.values(pids ?? {})) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  for (const dir of tempDirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'flowdeck-start-'));
  tempDirs.push(dir);
  return dir;
}

async function startFlowdeck(dataDir: string, extraEnv: Record<string, string> = {}): Promise<Flowdeck> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    FLOWDECK_DATA_DIR: dataDir,
    ...extraEnv,
  };
  // Run it as a user would: its own Redis, none of the test runner's variables.
  delete env.REDIS_URL;
  for (const key of Object.keys(env)) if (key.startsWith('VITEST')) delete env[key];
  if (env.NODE_ENV === 'test') delete env.NODE_ENV;
  const child = spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  let onPids: (pids: Pids) => void = () => {};
  const pids = new Promise<Pids>((resolve) => {
    onPids = resolve;
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      text += chunk;
      const match = /flowdeck: pids redis=(\d+) worker=(\d+) api=(\d+)/.exec(text);
      if (match) onPids({ redis: Number(match[1]), worker: Number(match[2]), api: Number(match[3]) });
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const flowdeck = { baseUrl: `http://127.0.0.1:${port}`, child, output: () => text, exited, pids };
  started.push(flowdeck);
  return flowdeck;
}

/** Resolves with `value` unless Flowdeck exits first, in which case it fails with its output. */
async function unlessExited<T>(flowdeck: Flowdeck, value: Promise<T>): Promise<T> {
  const early = flowdeck.exited.then(({ code, signal }) => {
    const lastLines = flowdeck.output().trimEnd().split('\n').slice(-40).join('\n');
    throw new Error(`npm start exited early (${signal ?? `code ${code}`}):\n${lastLines}`);
  });
  return Promise.race([value, early]);
}

/**
 * Waits for npm start to say Flowdeck is running: restarts begin from then on (a process that
 * exits while it is still starting stops everything), even if the API answers a moment earlier.
 */
async function waitUntilRunning(flowdeck: Flowdeck): Promise<void> {
  await unlessExited(flowdeck, waitForLine(flowdeck, 'Flowdeck is running at'));
}

/** Polls GET /api/health until it answers 200 with a live worker (Redis up, the flows published). */
async function waitUntilHealthy(flowdeck: Flowdeck): Promise<void> {
  const healthy = (async () => {
    while (!hasExited(flowdeck)) {
      const response = await fetch(`${flowdeck.baseUrl}/api/health`).catch(() => null);
      const health =
        response?.status === 200 ? ((await response.json()) as { workers: { live: number } }) : null;
      if (health && health.workers.live > 0) return;
      await sleep(100);
    }
  })();
  await unlessExited(flowdeck, healthy);
}

function hasExited(flowdeck: Flowdeck): boolean {
  return flowdeck.child.exitCode !== null || flowdeck.child.signalCode !== null;
}

/** SIGTERM, as a service manager or Ctrl-C would send, and the exit code. */
async function stop(flowdeck: Flowdeck) {
  flowdeck.child.kill('SIGTERM');
  return flowdeck.exited;
}

/** Alive and not a zombie (a zombie has exited; only its parent has not collected it yet). */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

describe('npm start', () => {
  it(
    'serves the API and the console from its own Redis, and stops everything it started on SIGTERM',
    async () => {
      const flowdeck = await startFlowdeck(await tempDataDir());
      const pids = await unlessExited(flowdeck, flowdeck.pids);
      await waitUntilHealthy(flowdeck);
      await unlessExited(flowdeck, waitForLine(flowdeck, `Flowdeck is running at ${flowdeck.baseUrl}`));

      const page = await fetch(`${flowdeck.baseUrl}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect(await page.text()).toMatch(/<!doctype html>/i);

      const { code, signal } = await stop(flowdeck);
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      expect({
        redis: isAlive(pids.redis),
        worker: isAlive(pids.worker),
        api: isAlive(pids.api),
      }).toEqual({ redis: false, worker: false, api: false });
    },
    TIMEOUT,
  );

  it('refuses REDIS_TLS=on without a Redis of its own to connect to, starting nothing', async () => {
    const flowdeck = await startFlowdeck(await tempDataDir(), { REDIS_TLS: 'on' });
    const { code } = await flowdeck.exited;
    expect(code).toBe(1);
    expect(flowdeck.output()).toContain(
      'REDIS_TLS=on needs a Redis of your own: set REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS.',
    );
    expect(flowdeck.output()).not.toContain('starting redis-server');
  });

  it('refuses a port something else listens on, instead of reporting the other server as its own', async () => {
    const other = createServer();
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const port = (other.address() as AddressInfo).port;
      const flowdeck = await startFlowdeck(await tempDataDir(), { PORT: String(port) });
      const { code } = await flowdeck.exited;
      expect(code).toBe(1);
      expect(flowdeck.output()).toContain(`port ${port} on 127.0.0.1 is already in use`);
      expect(flowdeck.output()).not.toContain('starting redis-server');
    } finally {
      other.close();
    }
  });

  it(
    'keeps runs across a restart on the same data dir',
    async () => {
      const dataDir = await tempDataDir();
      const first = await startFlowdeck(dataDir);
      await waitUntilHealthy(first);
      const startResponse = await fetch(`${first.baseUrl}/api/_flows/example-flow/start`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(startResponse.status).toBe(202);
      const { runId } = (await startResponse.json()) as { runId: string };
      expect(runId).toEqual(expect.any(String));
      expect((await stop(first)).code).toBe(0);

      const second = await startFlowdeck(dataDir);
      await waitUntilHealthy(second);
      const runResponse = await fetch(
        `${second.baseUrl}/api/_flows/example-flow/runs/${encodeURIComponent(runId)}`,
      );
      expect(runResponse.status).toBe(200);
      expect(await runResponse.json()).toMatchObject({ id: runId, flowName: 'example-flow' });
      expect((await stop(second)).code).toBe(0);
    },
    TIMEOUT,
  );
});

describe('npm start, once running, restarts what exits on its own', () => {
  it(
    'restarts a worker killed with SIGKILL while the API keeps answering, then a killed API; a run started afterwards completes',
    async () => {
      const flowdeck = await startFlowdeck(await tempDataDir());
      const pids = await unlessExited(flowdeck, flowdeck.pids);
      await waitUntilRunning(flowdeck);

      process.kill(pids.worker, 'SIGKILL');
      expect((await fetch(`${flowdeck.baseUrl}/api/_flows`)).status).toBe(200);
      const worker = await waitForPid(flowdeck, /flowdeck: worker restarted \(pid (\d+)\)/);
      expect(flowdeck.output()).toContain('flowdeck: worker exited (signal SIGKILL); restarting in 1 s');
      expect(worker).not.toBe(pids.worker);
      const runId = await startRun(flowdeck);
      await waitUntilCompleted(flowdeck, runId);

      process.kill(pids.api, 'SIGKILL');
      const api = await waitForPid(flowdeck, /flowdeck: api restarted \(pid (\d+)\)/);
      expect(flowdeck.output()).toContain('flowdeck: api exited (signal SIGKILL); restarting in 1 s');
      await waitFor(flowdeck, 'the restarted API serves the run', async () => {
        const response = await getRun(flowdeck, runId).catch(() => null);
        return response?.status === 200;
      });

      expect(await stop(flowdeck)).toEqual({ code: 0, signal: null });
      expect({ redis: isAlive(pids.redis), worker: isAlive(worker), api: isAlive(api) }).toEqual({
        redis: false,
        worker: false,
        api: false,
      });
    },
    TIMEOUT,
  );

  it(
    'answers 503 problem+json with Retry-After while its Redis is down, and serves the same data once Redis is restarted',
    async () => {
      const flowdeck = await startFlowdeck(await tempDataDir());
      const pids = await unlessExited(flowdeck, flowdeck.pids);
      await waitUntilRunning(flowdeck);
      const runId = await startRun(flowdeck);
      await waitUntilCompleted(flowdeck, runId);

      // npm start restarts Redis a second after it dies; paused, it leaves Redis down until the
      // API has been seen answering without it.
      const supervisor = flowdeck.child.pid as number;
      process.kill(supervisor, 'SIGSTOP');
      let outage: Response;
      let health: Response;
      try {
        process.kill(pids.redis, 'SIGKILL');
        outage = await waitFor(flowdeck, 'the API answers 503 for a run', async () => {
          const response = await getRun(flowdeck, runId);
          return response.status === 503 && response;
        });
        health = await fetch(`${flowdeck.baseUrl}/api/health`);
      } finally {
        process.kill(supervisor, 'SIGCONT');
      }
      expect(outage.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(Number(outage.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await outage.json()).toMatchObject({ status: 503, code: 'redis_unavailable' });
      expect(health.status).toBe(503);
      expect(Number(health.headers.get('retry-after'))).toBeGreaterThan(0);

      const redis = await waitForPid(flowdeck, /flowdeck: redis-server restarted \(pid (\d+)\)/);
      expect(flowdeck.output()).toContain(
        'flowdeck: redis-server exited (signal SIGKILL); restarting in 1 s',
      );
      await waitFor(flowdeck, 'the run written before the outage is served again', async () => {
        const response = await getRun(flowdeck, runId);
        return response.status === 200;
      });
      expect(await (await getRun(flowdeck, runId)).json()).toMatchObject({ id: runId, status: 'completed' });
      await waitUntilCompleted(flowdeck, await startRun(flowdeck));

      expect(await stop(flowdeck)).toEqual({ code: 0, signal: null });
      expect(isAlive(redis)).toBe(false);
    },
    TIMEOUT,
  );
});

async function waitForLine(flowdeck: Flowdeck, line: string): Promise<void> {
  while (!flowdeck.output().includes(line) && !hasExited(flowdeck)) await sleep(50);
}

/**
 * Polls `probe` until it gives something other than null or false, and returns that; fails if npm
 * start exits first or after two minutes.
 */
async function waitFor<T>(flowdeck: Flowdeck, what: string, probe: () => Promise<T | null | false>) {
  const deadline = Date.now() + 120_000;
  const polled = (async () => {
    for (;;) {
      const value = await probe();
      if (value !== null && value !== false) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}:\n${flowdeck.output()}`);
      await sleep(100);
    }
  })();
  return unlessExited(flowdeck, polled);
}

/** The pid in the first line of npm start's output that matches `pattern` (with a `(\d+)`). */
async function waitForPid(flowdeck: Flowdeck, pattern: RegExp): Promise<number> {
  const match = await waitFor(flowdeck, `the output matches ${pattern}`, async () =>
    pattern.exec(flowdeck.output()),
  );
  return Number(match[1]);
}

async function startRun(flowdeck: Flowdeck): Promise<string> {
  const response = await fetch(`${flowdeck.baseUrl}/api/_flows/example-flow/start`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { runId: string }).runId;
}

function getRun(flowdeck: Flowdeck, runId: string): Promise<Response> {
  return fetch(`${flowdeck.baseUrl}/api/_flows/example-flow/runs/${encodeURIComponent(runId)}`);
}

async function waitUntilCompleted(flowdeck: Flowdeck, runId: string) {
  await waitFor(flowdeck, `run ${runId} has completed`, async () => {
    const response = await getRun(flowdeck, runId).catch(() => null);
    return response?.status === 200 && ((await response.json()) as { status: string }).status === 'completed';
  });
}
