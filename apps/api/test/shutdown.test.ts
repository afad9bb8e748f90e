import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startWorker } from '@flowdeck/engine';
import { StartFlowResponse } from '@flowdeck/types';
import { exampleFlows } from '@flowdeck/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineSettings, parseSse, postJson, readSseUntil } from './helpers.ts';

const apiDir = fileURLToPath(new URL('..', import.meta.url));
const settings = engineSettings();

let child: ChildProcess;
let output = '';
let exited: Promise<number | null>;

beforeAll(async () => {
  // Register the example flows, then stop the worker: runs started below stay queued, so an
  // event stream on one stays open until the API shuts down.
  const worker = await startWorker({
    ...settings,
    flows: exampleFlows,
    concurrency: 1,
    shutdownGraceMs: 1000,
  });
  await worker.close();
  child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: apiDir,
    env: {
      ...process.env,
      REDIS_URL: settings.redisUrl,
      FLOWDECK_PREFIX: settings.prefix,
      HOST: '127.0.0.1',
      PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
});

afterAll(async () => {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await exited;
  }
});

async function listeningUrl(): Promise<string> {
  for (;;) {
    const match = /"msg":"api listening".*?"url":"([^"]+)"/.exec(output);
    if (match) return match[1]!;
    if (child.exitCode !== null) throw new Error(`the API exited early:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the API process', () => {
  it('logs its URL, answers health, and on SIGTERM ends open event streams and exits 0', async () => {
    const url = await listeningUrl();
    expect((await fetch(`${url}/api/health`)).status).toBe(200);

    const started = await fetch(`${url}/api/_flows/example-flow/start`, postJson({}));
    const { runId } = StartFlowResponse.parse(await started.json());
    const stream = await fetch(`${url}/api/_flows/example-flow/runs/${runId}/events`, {
      headers: { accept: 'text/event-stream' },
    });
    expect(stream.status).toBe(200);
    const { text, rest } = await readSseUntil(stream, (soFar) => soFar.includes('event: run.started'));

    child.kill('SIGTERM');
    const { messages } = parseSse(text + (await rest()));
    expect(messages.map((m) => m.event)).toEqual(['run.started']);
    expect(await exited).toBe(0);
    expect(output).toMatch(/"msg":"request".*"method":"GET".*"status":200/);
  });
});
