import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProblem, startTestApi, type TestApi } from './helpers.ts';

let api: TestApi;
let consoleDir: string;
beforeAll(async () => {
  consoleDir = await mkdtemp(join(tmpdir(), 'flowdeck-console-'));
  await mkdir(join(consoleDir, 'assets'));
  await writeFile(join(consoleDir, 'index.html'), '<!doctype html><title>Flowdeck</title>');
  await writeFile(join(consoleDir, 'assets', 'index-abc123.js'), 'console.log("hi")');
  api = await startTestApi({ worker: false, consoleDir });
});
afterAll(async () => {
  await api.close();
  await rm(consoleDir, { recursive: true, force: true });
});

describe('serving the built console', () => {
  it('serves index.html at / without caching it', async () => {
    const response = await api.fetch('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(await response.text()).toContain('<title>Flowdeck</title>');
  });

  it('answers a client-side route with index.html', async () => {
    const response = await api.fetch('/flows?flow=example-flow&run=abc');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('serves hashed assets with a long immutable cache', async () => {
    const response = await api.fetch('/assets/index-abc123.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toContain('immutable');
  });

  it('answers 404 for a missing asset instead of index.html', async () => {
    const response = await api.fetch('/assets/index-gone.js');
    expect(response.status).toBe(404);
  });

  it('keeps unknown /api routes as 404 problem+json', async () => {
    const response = await api.fetch('/api/flows');
    expect(response.status).toBe(404);
    expect((await readProblem(response)).code).toBe('not_found');
  });
});
