import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { precompressDir } from '../vite-plugins/precompress.ts';

let dist: string;
beforeEach(async () => {
  dist = await mkdtemp(join(tmpdir(), 'flowdeck-precompress-'));
  await mkdir(join(dist, 'assets'));
  await mkdir(join(dist, '.vite'));
});
afterEach(() => rm(dist, { recursive: true, force: true }));

describe('precompressing the console build', () => {
  it('writes brotli and gzip copies of large text files that decode to the original', async () => {
    const script = `export const rows = ${JSON.stringify(Array.from({ length: 400 }, (_, i) => `row ${i}`))};`;
    await writeFile(join(dist, 'assets', 'index-abc.js'), script);

    const totals = await precompressDir(dist);

    const br = await readFile(join(dist, 'assets', 'index-abc.js.br'));
    const gz = await readFile(join(dist, 'assets', 'index-abc.js.gz'));
    expect(brotliDecompressSync(br).toString()).toBe(script);
    expect(gunzipSync(gz).toString()).toBe(script);
    expect(totals).toEqual({ files: 1, bytes: script.length, brotli: br.length, gzip: gz.length });
    expect(totals.brotli).toBeLessThan(totals.bytes / 3);
  });

  it('leaves small files, binary formats and Vite’s manifest alone', async () => {
    const large = 'x'.repeat(4096);
    await writeFile(join(dist, 'assets', 'RunPage-abc.js'), 'export default 1;');
    await writeFile(join(dist, 'assets', 'logo-abc.png'), large);
    await writeFile(join(dist, '.vite', 'manifest.json'), large);

    expect((await precompressDir(dist)).files).toBe(0);
    for (const file of ['assets/RunPage-abc.js', 'assets/logo-abc.png', '.vite/manifest.json']) {
      expect(existsSync(join(dist, `${file}.br`)), file).toBe(false);
      expect(existsSync(join(dist, `${file}.gz`)), file).toBe(false);
    }
  });
});
