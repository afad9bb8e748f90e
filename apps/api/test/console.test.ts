import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProblem, startTestApi, type TestApi } from './helpers.ts';

const INDEX_HTML = `<!doctype html><title>Flowdeck</title>${'<!-- padding -->'.repeat(100)}`;
const ENTRY_JS = `export const greeting = ${JSON.stringify('hello '.repeat(500))};`;
const SECRET = 'not part of the console';

let api: TestApi;
let root: string;
let consoleDir: string;

/** Writes `name` and, like the console build, its brotli and gzip copies. */
async function writeWithCopies(path: string, content: string) {
  await writeFile(path, content);
  await writeFile(`${path}.br`, brotliCompressSync(content));
  await writeFile(`${path}.gz`, gzipSync(content));
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'flowdeck-console-'));
  consoleDir = join(root, 'console');
  await mkdir(join(consoleDir, 'assets'), { recursive: true });
  await writeWithCopies(join(consoleDir, 'index.html'), INDEX_HTML);
  await writeWithCopies(join(consoleDir, 'assets', 'index-abc123.js'), ENTRY_JS);
  await writeWithCopies(join(consoleDir, 'assets', 'index-abc123.css'), `body{color:red}${' '.repeat(2000)}`);
  await writeFile(join(consoleDir, 'assets', 'tiny-abc123.js'), 'console.log("hi")');
  await writeWithCopies(join(root, 'secret.txt'), SECRET);
  api = await startTestApi({ worker: false, consoleDir });
});
afterAll(async () => {
  await api.close();
  await rm(root, { recursive: true, force: true });
});

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request whose body arrives as sent: fetch() would undo the content encoding. */
function getRaw(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(`${api.baseUrl}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

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
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
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

describe('compression of the built console', () => {
  it("sends the brotli copy to a browser that accepts br, with the original file's type", async () => {
    const response = await getRaw('/assets/index-abc123.js', {
      'accept-encoding': 'gzip, deflate, br, zstd',
    });
    expect(response.status).toBe(200);
    expect(response.headers['content-encoding']).toBe('br');
    expect(response.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(response.headers.vary).toMatch(/accept-encoding/i);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(Number(response.headers['content-length'])).toBe(response.body.length);
    expect(response.body.length).toBeLessThan(ENTRY_JS.length / 4);
    expect(brotliDecompressSync(response.body).toString()).toBe(ENTRY_JS);
  });

  it('sends the gzip copy when the browser takes gzip but not br', async () => {
    for (const acceptEncoding of ['gzip, deflate', 'br;q=0, gzip', 'gzip;q=1, br;q=0.5']) {
      const response = await getRaw('/assets/index-abc123.css', { 'accept-encoding': acceptEncoding });
      expect(response.headers['content-encoding'], acceptEncoding).toBe('gzip');
      expect(response.headers['content-type']).toBe('text/css; charset=utf-8');
      expect(gunzipSync(response.body).toString()).toMatch(/^body\{color:red\}/);
    }
  });

  it('sends the file as it is, still varying by Accept-Encoding, to a client that accepts no encoding', async () => {
    for (const headers of [{}, { 'accept-encoding': 'identity' }] as Record<string, string>[]) {
      const response = await getRaw('/assets/index-abc123.js', headers);
      expect(response.status).toBe(200);
      expect(response.headers['content-encoding']).toBeUndefined();
      expect(response.headers.vary).toMatch(/accept-encoding/i);
      expect(response.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(response.body.toString()).toBe(ENTRY_JS);
    }
  });

  it('sends a file the build left uncompressed as it is', async () => {
    const response = await getRaw('/assets/tiny-abc123.js', { 'accept-encoding': 'br, gzip' });
    expect(response.status).toBe(200);
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(response.body.toString()).toBe('console.log("hi")');
  });

  it('sends index.html compressed and uncached, at / and at client-side routes', async () => {
    for (const path of ['/', '/index.html', '/flows?flow=example-flow']) {
      const response = await getRaw(path, { 'accept-encoding': 'br' });
      expect(response.status, path).toBe(200);
      expect(response.headers['content-encoding']).toBe('br');
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(brotliDecompressSync(response.body).toString()).toBe(INDEX_HTML);
    }
  });

  it('answers HEAD for a compressed asset with its headers and no body', async () => {
    const response = await getRaw('/assets/index-abc123.js', { 'accept-encoding': 'br' }, 'HEAD');
    expect(response.status).toBe(200);
    expect(response.headers['content-encoding']).toBe('br');
    expect(response.body.length).toBe(0);
  });

  it('never serves a compressed file from outside the console folder', async () => {
    for (const path of ['/%2e%2e/secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/..%2fsecret.txt']) {
      const response = await getRaw(path, { 'accept-encoding': 'br, gzip' });
      const body =
        response.headers['content-encoding'] === 'br'
          ? brotliDecompressSync(response.body).toString()
          : response.body.toString();
      expect(body, path).not.toContain(SECRET);
    }
  });
});
