/**
 * What the benchmarks share: a private redis-server per comparison (so memory figures start
 * from an empty Redis and one comparison's leftovers cannot slow the next), real worker and API
 * processes where a figure must come from them, and the machine and Redis facts RESULTS.md
 * records beside the numbers.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
// @ts-expect-error: plain .mjs helpers without types, shared with npm start
import { freePort, startRedis } from '../scripts/lib/redis.mjs';
// @ts-expect-error: plain .mjs helpers without types, shared with npm start
import { repoRoot, spawnGuarded } from '../scripts/lib/util.mjs';

/** A benchmark's own Lua script, bench/lua/<name>.lua, whose header names its KEYS and ARGV. */
export const benchScript = (name: string) =>
  readFileSync(new URL(`lua/${name}.lua`, import.meta.url), 'utf8');

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const keepAlive = new Agent({ keepAlive: true, maxSockets: 64 });

/**
 * An HTTP request on kept-alive connections, answering its status and body. The load generator
 * shares two cores with the API and Redis: Node's fetch spent about 600 µs of CPU per request
 * here, node:http about 250 µs, so fetch took CPU from the API it was measuring.
 */
export function httpRequest(url: string, options: { method?: string; json?: unknown } = {}) {
  const body = options.json === undefined ? undefined : JSON.stringify(options.json);
  return new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        agent: keepAlive,
        headers:
          body === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export interface BenchRedis {
  url: string;
  client: Redis;
  stop(): Promise<void>;
}

/** A private redis-server (hz 100, append-only file on, as `npm start` runs it), or REDIS_URL. */
export async function benchRedis(): Promise<BenchRedis> {
  if (process.env.REDIS_URL) {
    const client = new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: null });
    return { url: process.env.REDIS_URL, client, stop: async () => void (await client.quit()) };
  }
  const dir = mkdtempSync(join(tmpdir(), 'flowdeck-bench-'));
  const redis = (await startRedis({ dataDir: dir })) as { url: string; stop(): Promise<void> };
  const client = new Redis(redis.url, { maxRetriesPerRequest: null });
  return {
    url: redis.url,
    client,
    async stop() {
      await client.quit();
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Deletes every key whose name holds `prefix`: what a Flowdeck side leaves behind (runs, events,
 * history), removed once it is measured, as raw BullMQ's side obliterates its queue. Otherwise the
 * side measured next would share its Redis with them, and every append-only file rewrite (whose
 * cost grows with the data) during that side would copy them again.
 */
export async function removeKeys(client: Redis, prefix: string) {
  for (let cursor = '0'; ; ) {
    const [next, keys] = await client.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await client.unlink(...keys);
    cursor = next;
    if (cursor === '0') return;
  }
}

export async function usedMemory(client: Redis): Promise<number> {
  const info = await client.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? Number.NaN);
}

export async function machine(client: Redis) {
  const server = await client.info('server');
  const config = async (name: string) => ((await client.config('GET', name)) as string[])[1] ?? '?';
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? '?',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    redis: /redis_version:(\S+)/.exec(server)?.[1] ?? '?',
    hz: await config('hz'),
    appendonly: await config('appendonly'),
    appendfsync: await config('appendfsync'),
  };
}

/** Nearest-rank percentile of an ascending sample. */
export function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Runs `task` `total` times with at most `inFlight` at once; returns each call's latency in ms. */
export async function inParallel(total: number, inFlight: number, task: (i: number) => Promise<unknown>) {
  const latencies: number[] = [];
  let next = 0;
  const lane = async () => {
    while (next < total) {
      const i = next++;
      const t0 = performance.now();
      await task(i);
      latencies.push(performance.now() - t0);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Math.min(inFlight, total) }, lane));
  return { ms: performance.now() - t0, latencies: latencies.sort((a, b) => a - b) };
}

/** Counts the commands Redis ran between two calls: `INFO commandstats` totals, minus INFO itself. */
export async function commandCount(client: Redis): Promise<number> {
  const stats = await client.info('commandstats');
  let total = 0;
  for (const match of stats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (match[1] !== 'info') total += Number(match[2]);
  }
  return total;
}

/** Client round trips are not in INFO; commands that start work (EVALSHA, MULTI, HGET…) are. */
export async function commandStats(client: Redis): Promise<Map<string, number>> {
  const stats = await client.info('commandstats');
  const byName = new Map<string, number>();
  for (const match of stats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (match[1] !== 'info' && match[1] !== 'config') byName.set(match[1]!, Number(match[2]));
  }
  return byName;
}

export function diffStats(before: Map<string, number>, after: Map<string, number>, per: number) {
  const rows: [string, number][] = [];
  for (const [name, calls] of after) {
    const delta = calls - (before.get(name) ?? 0);
    if (delta > 0) rows.push([name, delta / per]);
  }
  return rows.sort((a, b) => b[1] - a[1]);
}

export interface Spawned {
  pid: number;
  baseUrl?: string;
  stop(): Promise<void>;
}

/**
 * A worker or API process (`node --import tsx src/main.ts`, as `npm start` runs it); resolves
 * when it logs that it is ready.
 */
export async function spawnService(
  kind: 'api' | 'worker',
  env: Record<string, string>,
  ready: RegExp | (() => Promise<boolean>),
): Promise<Spawned> {
  const port = kind === 'api' ? String(await freePort()) : '0';
  const child = spawnGuarded(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: join(repoRoot, 'apps', kind),
    env: { ...process.env, LOG_LEVEL: 'warn', ...env, PORT: port, HOST: '127.0.0.1' },
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} not ready:\n${output}`)), 60_000);
    for (const stream of [child.stdout, child.stderr]) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        output = (output + chunk).slice(-5000);
        if (ready instanceof RegExp && ready.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      });
    }
    if (!(ready instanceof RegExp)) {
      const poll = async () => {
        while (!(await ready())) await sleep(100);
        clearTimeout(timer);
        resolve();
      };
      void poll();
    }
    child.once('exit', (code: number | null) => reject(new Error(`${kind} exited (${code}):\n${output}`)));
  });
  return {
    pid: child.pid,
    baseUrl: kind === 'api' ? `http://127.0.0.1:${port}` : undefined,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Resident set size of a process, from /proc (Linux). */
export async function rssOf(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) * 1024;
}

export const fmtMs = (n: number) =>
  Number.isFinite(n) ? `${n < 10 ? n.toFixed(1) : Math.round(n)} ms` : '-';
/** Bytes in the largest unit under which they are at least 1; a shrink (negative) with a minus. */
export const fmtBytes = (n: number): string => {
  if (n < 0) return `−${fmtBytes(-n)}`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  return n >= 1024 ? `${(n / 1024).toFixed(2)} KiB` : `${Math.round(n)} B`;
};
