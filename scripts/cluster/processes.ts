// Child processes of the cluster test: Redis nodes, sentinels, API replicas and workers. Every
// process is registered here so that one call stops them all, also when a check throws.

import type { ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../lib/redis.mjs';
import { repoRoot, spawnGuarded } from '../lib/util.mjs';

const TAIL_LINES = 40;

export class Proc {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly tail: string[] = [];
  private readonly log: WriteStream;

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    options: { cwd?: string; env?: NodeJS.ProcessEnv; logFile: string },
  ) {
    this.log = createWriteStream(options.logFile, { flags: 'a' });
    const child = spawnGuarded(command, args, { cwd: options.cwd, env: options.env });
    this.child = child;
    for (const stream of [child.stdout, child.stderr]) {
      let pending = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) this.line(line);
      });
      stream.on('end', () => pending && this.line(pending));
    }
    this.exited = new Promise((resolve) => {
      child.once('error', () => resolve({ code: null, signal: null }));
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    // 'exit' can come before the last output is read; the log closes once the pipes have.
    child.once('close', () => this.log.end());
    running.add(this);
    void this.exited.then(() => running.delete(this));
  }

  private line(line: string) {
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
    if (!this.log.writableEnded) this.log.write(`${line}\n`);
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.name} has no pid`);
    return this.child.pid;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  lastLines(): string {
    return this.tail.map((l) => `    ${l}`).join('\n');
  }

  /** SIGKILL: the crash of a machine, as far as Redis and its clients can tell. */
  async kill(): Promise<void> {
    if (this.alive) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM, then SIGKILL after `timeoutMs`. Resolves with the exit code (null if killed). */
  async stop(timeoutMs = 15_000): Promise<number | null> {
    if (!this.alive) return (await this.exited).code;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const { code } = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

const running = new Set<Proc>();

/** Stops every process still running: services first, then sentinels, then Redis nodes. */
export async function stopAll(): Promise<void> {
  const order = (p: Proc) => (p.name.startsWith('redis') ? 2 : p.name.startsWith('sentinel') ? 1 : 0);
  for (const rank of [0, 1, 2]) {
    await Promise.all([...running].filter((p) => order(p) === rank).map((p) => p.stop(10_000)));
  }
}

/** Two free loopback ports, different from each other (a Redis port and its cluster bus port). */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** Polls `probe` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await sleep(intervalMs);
  }
}

export interface ServiceOptions {
  name: string;
  env: NodeJS.ProcessEnv;
  logDir: string;
}

/** `node --import tsx src/main.ts` in apps/<app>, as `npm start` runs the services. */
export function startService(app: 'api' | 'worker', options: ServiceOptions): Proc {
  return new Proc(options.name, process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: join(repoRoot, 'apps', app),
    env: options.env,
    logFile: join(options.logDir, `${options.name}.log`),
  });
}
