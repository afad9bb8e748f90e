import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestApi, type TestApi } from '@flowdeck/api/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The client as someone outside this repository gets it: packed the way it is published
// (with @flowdeck/types, and its dependencies zod and cronstrue taken from the local store so
// nothing is downloaded),
// installed by plain npm into an empty project, then used by plain Node and by tsc.

const clientDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const typesDir = join(clientDir, '..', 'types');
const require = createRequire(join(clientDir, 'package.json'));

let api: TestApi;
let dir: string;
let app: string;

/** Runs a command with a bare environment; resolves with stdout, rejects with everything it printed. */
function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const child = spawn(command, args, {
    cwd,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      // npm keeps its cache and logs in the temporary folder, and never asks the registry for news.
      npm_config_cache: join(dir, 'npm'),
      npm_config_update_notifier: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${stdout}${stderr}`));
    });
  });
}

/**
 * A dependency as a tarball, from the copy pnpm installed for `from` (npm cannot pack inside
 * pnpm's store).
 */
async function packInstalled(name: string, from: NodeJS.Require, destination: string) {
  const copy = join(dir, name);
  await cp(await realpath(dirname(from.resolve(`${name}/package.json`))), copy, { recursive: true });
  await run('npm', ['pack', '--ignore-scripts', '--pack-destination', destination], copy);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flowdeck-client-package-'));
  const tarballs = join(dir, 'tarballs');
  app = join(dir, 'app');
  await mkdir(tarballs);
  await mkdir(app);
  // `pnpm pack` builds each package (its prepack/prepare script) and writes the published manifest.
  await Promise.all([
    run('pnpm', ['pack', '--pack-destination', tarballs], typesDir),
    run('pnpm', ['pack', '--pack-destination', tarballs], clientDir),
    packInstalled('zod', require, tarballs),
    packInstalled('cronstrue', createRequire(join(typesDir, 'package.json')), tarballs),
  ]);
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  const files = (await readdir(tarballs)).map((name) => join(tarballs, name));
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', ...files], app);
  api = await startTestApi();
}, 120_000);

afterAll(async () => {
  await api?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('@flowdeck/client outside the monorepo', () => {
  it('installs from its packed tarball as built JavaScript, with no workspace links', async () => {
    const installed = join(app, 'node_modules', '@flowdeck', 'client');
    const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8'));
    expect(manifest.private).toBeUndefined();
    expect(manifest.dependencies['@flowdeck/types']).toBe('0.1.0');
    expect(manifest.exports).toEqual({ '.': { types: './dist/index.d.ts', import: './dist/index.js' } });
    const files = await readdir(installed, { recursive: true });
    expect(files).toContain(join('dist', 'index.js'));
    expect(files).toContain(join('dist', 'index.d.ts'));
    expect(files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([]);
  });

  it('a plain Node ESM script imports it and starts and follows a run on a real API', async () => {
    await writeFile(
      join(app, 'use.mjs'),
      `import { createFlowdeckClient, FlowdeckApiError } from '@flowdeck/client';
const flowdeck = createFlowdeckClient({ baseUrl: process.env.FLOWDECK_URL });
const health = await flowdeck.health();
const { runId } = await flowdeck.flows.start('example-flow', { records: 1 });
const events = [];
for await (const event of flowdeck.runs.follow('example-flow', runId)) events.push(event.type);
const missing = await flowdeck.flows.get('no-such-flow').catch((error) => error);
console.log(JSON.stringify({ health: health.status, events, missing: missing instanceof FlowdeckApiError && missing.code }));
`,
    );
    const output = await run(process.execPath, ['use.mjs'], app, { FLOWDECK_URL: api.baseUrl });
    const result = JSON.parse(output);
    expect(result).toMatchObject({ health: 'ok', missing: 'flow_not_found' });
    expect(result.events.at(-1)).toBe('run.completed');
  });

  it('a TypeScript consumer type-checks against its built declarations', async () => {
    await writeFile(
      join(app, 'consumer.ts'),
      `import { createFlowdeckClient, FlowdeckApiError } from '@flowdeck/client';
import type { Schedule } from '@flowdeck/types';

const flowdeck = createFlowdeckClient({ baseUrl: 'http://127.0.0.1:3000', token: () => null });
const status: 'ok' | 'unavailable' = (await flowdeck.health()).status;
const schedules: Schedule[] = await flowdeck.schedules.listAll({ tag: 'nightly' });
const deleted: boolean = (await flowdeck.schedules.delete('example-flow', 'sch_1')).success;
// @ts-expect-error a flow name is required
await flowdeck.flows.start();
export const seen = [status, schedules.length, deleted, FlowdeckApiError.name];
`,
    );
    const compilerOptions = {
      strict: true,
      noEmit: true,
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      lib: ['ES2023', 'DOM'],
      types: [],
    };
    await writeFile(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['consumer.ts'] }));
    await run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', app], app);
  });
});
