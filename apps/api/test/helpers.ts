import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createEngine,
  type Engine,
  type Logger,
  silentLogger,
  startWorker,
  type WorkerHandle,
} from '@flowdeck/engine';
import { Problem, Run } from '@flowdeck/types';
import { exampleFlows } from '@flowdeck/worker';
import { type AppOptions, createApp } from '../src/app.ts';

export function redisUrl(): string {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL is not set: run the tests with vitest from the repository root');
  return url;
}

/** Each test file keeps to its own key prefix, so files run in parallel on one Redis. */
export function engineSettings() {
  return {
    redisUrl: redisUrl(),
    prefix: `t${randomBytes(4).toString('hex')}`,
    retention: { maxRuns: 1000, maxAgeMs: 86_400_000 },
    heartbeatMs: 500,
  };
}

export interface TestApi {
  baseUrl: string;
  app: ReturnType<typeof createApp>;
  engine: Engine;
  prefix: string;
  /** Starts a worker hosting the example flows, when none runs (`worker: false`). */
  startWorker(): Promise<void>;
  /** fetch() against the app, with a path like `/api/_flows`. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/**
 * The real app on an ephemeral port over a real engine, and (unless `worker: false`) a real
 * worker hosting the example flows. With `worker: false` the flows are still registered but
 * nothing runs them, so runs stay queued.
 */
export async function startTestApi(
  options: {
    worker?: boolean;
    consoleDir?: string;
    logger?: Logger;
    access?: AppOptions['access'];
    corsOrigins?: string[];
  } = {},
): Promise<TestApi> {
  const settings = engineSettings();
  const engine = createEngine(settings);
  let worker: WorkerHandle | null = await startWorker({
    ...settings,
    flows: exampleFlows,
    concurrency: 10,
    shutdownGraceMs: 10_000,
  });
  if (options.worker === false) {
    await worker.close();
    worker = null;
  }
  const shutdown = new AbortController();
  const app = createApp({
    engine,
    logger: options.logger ?? silentLogger,
    consoleDir: options.consoleDir,
    shutdown: shutdown.signal,
    access: options.access,
    corsOrigins: options.corsOrigins,
  });
  const server = await listen(app);
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    app,
    engine,
    prefix: settings.prefix,
    async startWorker() {
      worker ??= await startWorker({
        ...settings,
        flows: exampleFlows,
        concurrency: 10,
        shutdownGraceMs: 10_000,
      });
    },
    fetch: (path, init) => fetch(`${baseUrl}${path}`, init),
    async close() {
      shutdown.abort();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await worker?.close();
      await engine.close();
    },
  };
}

function listen(app: ReturnType<typeof createApp>): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve(server)));
  });
}

export function postJson(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

/** Reads a problem+json answer, checking its content type and shape on the way. */
export async function readProblem(response: Response): Promise<Problem> {
  const contentType = response.headers.get('content-type') ?? '';
  if (!contentType.startsWith('application/problem+json')) {
    throw new Error(`expected problem+json, got '${contentType}': ${await response.text()}`);
  }
  return Problem.parse(await response.json());
}

/** Polls the run over HTTP until it finishes. */
export async function waitForRunToFinish(api: TestApi, flowName: string, runId: string): Promise<Run> {
  for (;;) {
    const response = await api.fetch(`/api/_flows/${flowName}/runs/${runId}`);
    const run = Run.parse(await response.json());
    if (['completed', 'failed', 'canceled'].includes(run.status)) return run;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

/** Reads a Server-Sent Events body to its end, one message per blank-line-terminated block. */
export async function readSse(response: Response): Promise<{ messages: SseMessage[]; comments: string[] }> {
  return parseSse(await response.text());
}

/** Reads a Server-Sent Events body until `seen` holds for the text so far; the rest stays unread. */
export async function readSseUntil(
  response: Response,
  seen: (text: string) => boolean,
): Promise<{ text: string; rest: () => Promise<string> }> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  while (!seen(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the stream ended before the expected event:\n${text}`);
    text += value;
  }
  const rest = async () => {
    let more = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return more;
      more += value;
    }
  };
  return { text, rest };
}

export function parseSse(text: string): { messages: SseMessage[]; comments: string[] } {
  const messages: SseMessage[] = [];
  const comments: string[] = [];
  for (const block of text.split('\n\n')) {
    const message: SseMessage = { data: '' };
    let hasData = false;
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) comments.push(line.slice(1).trim());
      else if (line.startsWith('id: ')) message.id = line.slice(4);
      else if (line.startsWith('event: ')) message.event = line.slice(7);
      else if (line.startsWith('data: ')) {
        message.data += line.slice(6);
        hasData = true;
      }
    }
    if (hasData) messages.push(message);
  }
  return { messages, comments };
}

export { createTokenStore, parseTokenSpecs } from '../src/auth/tokens.ts';
