import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createKeys, type Keys } from '@flowdeck/engine/internal';
import { Redis } from 'ioredis';
import { freePort, type PrivateRedis, startRedis } from '../../scripts/lib/redis.mjs';
import { repoRoot, spawnGuarded } from '../../scripts/lib/util.mjs';

/**
 * What the fault scenarios run against: a private redis-server (append-only file on) and real
 * worker and API processes (`node --import tsx src/main.ts`, as `npm start` runs them), each
 * with its output in a log file. Everything started here is stopped by `close()`, also when a
 * scenario fails, and the processes get SIGTERM should the test runner itself die.
 */

export const FLOW = 'tick-flow';
const FLOWS_MODULE = join(repoRoot, 'test', 'faults', 'fixtures', 'flows.ts');
const READY_TIMEOUT_MS = 60_000;

/** Full sizes with FLOWDECK_FAULTS=full (`npm run test:faults`), short ones in `npm test`. */
export const FULL = process.env.FLOWDECK_FAULTS === 'full';

/** A number from the environment, else the full or the short default. */
export function size(name: string, full: number, short: number): number {
  const raw = process.env[name];
  return raw !== undefined && raw !== '' ? Number(raw) : FULL ? full : short;
}

/** Stall timeout of the workers here: a killed worker's jobs are taken over within ~10 s, not ~60 s. */
export const STALL_TIMEOUT_MS = 5000;

export interface Service {
  name: string;
  pid: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  isRunning(): boolean;
  /** Sends the signal and waits for the exit. */
  stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last lines it printed. */
  tail(lines?: number): string;
}

export interface Api extends Service {
  baseUrl: string;
}

export class FaultStack {
  readonly prefix = `f${Math.random().toString(36).slice(2, 8)}`;
  readonly keys: Keys = createKeys(this.prefix);
  readonly services: Service[] = [];
  redis!: PrivateRedis;
  /** For the checks: a client that waits for Redis rather than failing while it restarts. */
  client!: Redis;
  private dir = '';
  private logs: WriteStream[] = [];
  private counter = 0;

  static async start(): Promise<FaultStack> {
    const stack = new FaultStack();
    stack.dir = await mkdtemp(join(tmpdir(), 'flowdeck-faults-'));
    stack.redis = await startRedis({ dataDir: join(stack.dir, 'redis') });
    stack.client = new Redis(stack.redis.url, { maxRetriesPerRequest: null });
    // While Redis is stopped on purpose, the client reconnects quietly.
    stack.client.on('error', () => {});
    return stack;
  }

  get redisUrl() {
    return this.redis.url;
  }

  /** Environment of a worker or API process of this stack. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      REDIS_URL: this.redis.url,
      FLOWDECK_PREFIX: this.prefix,
      FLOWDECK_FLOWS: FLOWS_MODULE,
      FLOWDECK_EXAMPLES: 'off',
      FLOWDECK_RUN_RETENTION_COUNT: '1000000',
      FLOWDECK_STALL_TIMEOUT_MS: String(STALL_TIMEOUT_MS),
      FLOWDECK_HEARTBEAT_MS: '1000',
      WORKER_CONCURRENCY: '50',
      // The load here comes from one client; the per-token write limit would only slow it.
      FLOWDECK_WRITE_RATE_LIMIT: '0',
      SHUTDOWN_GRACE_MS: '20000',
      LOG_LEVEL: 'info',
      ...extra,
    };
    for (const key of Object.keys(env)) if (key.startsWith('VITEST')) delete env[key];
    delete env.NODE_ENV;
    return env;
  }

  private spawn(kind: 'worker' | 'api', name: string, env: NodeJS.ProcessEnv, ready: RegExp) {
    const child = spawnGuarded(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: join(repoRoot, 'apps', kind),
      env,
    });
    if (child.pid === undefined) throw new Error(`could not start ${name}`);
    const log = createWriteStream(join(this.dir, `${name}.log`));
    this.logs.push(log);
    const recent: string[] = [];
    let onReady: () => void = () => {};
    const isReady = new Promise<void>((resolve) => {
      onReady = resolve;
    });
    for (const stream of [child.stdout, child.stderr]) {
      let pending = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        // A child's last output can arrive after close() has ended its log.
        if (!log.writableEnded) log.write(chunk);
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          recent.push(line);
          if (recent.length > 200) recent.shift();
          if (ready.test(line)) onReady();
        }
      });
    }
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    const service: Service = {
      name,
      pid: child.pid,
      exited,
      isRunning: () => child.exitCode === null && child.signalCode === null,
      async stop(signal) {
        if (service.isRunning()) child.kill(signal);
        return exited;
      },
      tail: (lines = 30) => recent.slice(-lines).join('\n'),
    };
    this.services.push(service);
    const started = Promise.race([
      isReady,
      exited.then(({ code, signal }) => {
        throw new Error(`${name} exited before it was ready (${signal ?? code}):\n${service.tail()}`);
      }),
      sleep(READY_TIMEOUT_MS).then(() => {
        throw new Error(`${name} was not ready after ${READY_TIMEOUT_MS} ms:\n${service.tail()}`);
      }),
    ]);
    return { service, started };
  }

  /** A worker process; resolves once it has reconciled the schedules and takes jobs. */
  async startWorker(extra: Record<string, string> = {}): Promise<Service> {
    const name = `worker-${++this.counter}`;
    const { service, started } = this.spawn('worker', name, this.env(extra), /"msg":"worker started"/);
    await started;
    return service;
  }

  /** An API process on a free port; resolves once it listens. */
  async startApi(extra: Record<string, string> = {}, port?: number): Promise<Api> {
    const name = `api-${++this.counter}`;
    const listenOn = port ?? (await freePort());
    const env = this.env({ PORT: String(listenOn), HOST: '127.0.0.1', ...extra });
    const { service, started } = this.spawn('api', name, env, /"msg":"api listening"/);
    await started;
    return { ...service, baseUrl: `http://127.0.0.1:${listenOn}` };
  }

  /** Stops Redis (SIGTERM: it writes its append-only file) and leaves it down. */
  async stopRedis() {
    await this.redis.stop();
  }

  /** Starts Redis again on the same port with the same data. */
  async startRedisAgain() {
    this.redis = await startRedis({ dataDir: join(this.dir, 'redis'), port: this.redis.port });
  }

  /** Prints the last lines of every process, to see why a scenario failed. */
  describe(): string {
    return this.services.map((s) => `--- ${s.name} (pid ${s.pid}) ---\n${s.tail(15)}`).join('\n');
  }

  async close() {
    await Promise.all(
      this.services.map(async (s) => {
        if (!s.isRunning()) return;
        const stopped = s.stop('SIGTERM');
        const timer = setTimeout(() => process.kill(s.pid, 'SIGKILL'), 15_000);
        await stopped;
        clearTimeout(timer);
      }),
    );
    this.client?.disconnect();
    await this.redis?.stop();
    for (const log of this.logs) log.end();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}

export async function waitUntil(what: string, condition: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await sleep(200);
  }
}

/** A JSON request to the API. */
export async function call(api: Api, method: string, path: string, body?: unknown, timeoutMs = 10_000) {
  const response = await fetch(`${api.baseUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

/** Prints one line of what a scenario checked, prefixed so it stands out in the test output. */
export function report(scenario: string, line: string) {
  process.stdout.write(`[faults] ${scenario}: ${line}\n`);
}
