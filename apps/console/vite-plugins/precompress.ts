import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { extname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Plugin } from 'vite';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** Text-like files worth compressing; images and woff2 fonts are compressed already. */
const COMPRESSIBLE = new Set(['.js', '.mjs', '.css', '.html', '.svg', '.json', '.ttf', '.txt', '.wasm']);
/** Below this a compressed copy saves less than its extra response headers cost. */
const MIN_BYTES = 1024;

export interface PrecompressTotals {
  files: number;
  bytes: number;
  brotli: number;
  gzip: number;
}

/**
 * Writes `<file>.br` and `<file>.gz` beside every compressible file under `dir` (Vite's
 * `.vite/` bookkeeping folder aside), at the strongest settings: it runs once per build, and
 * the API then sends the smaller copy to any browser that accepts it (console-static.ts).
 */
export async function precompressDir(dir: string): Promise<PrecompressTotals> {
  const totals: PrecompressTotals = { files: 0, bytes: 0, brotli: 0, gzip: 0 };
  const files = await compressibleFiles(dir);
  await Promise.all(
    files.map(async (file) => {
      const content = await readFile(file);
      const [br, gz] = await Promise.all([
        brotli(content, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
            [constants.BROTLI_PARAM_SIZE_HINT]: content.length,
          },
        }),
        gzipAsync(content, { level: constants.Z_BEST_COMPRESSION }),
      ]);
      await Promise.all([writeFile(`${file}.br`, br), writeFile(`${file}.gz`, gz)]);
      totals.files += 1;
      totals.bytes += content.length;
      totals.brotli += br.length;
      totals.gzip += gz.length;
    }),
  );
  return totals;
}

async function compressibleFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(entry.parentPath, entry.name);
    if (!entry.isFile() || relative(dir, path).startsWith('.vite')) continue;
    if (!COMPRESSIBLE.has(extname(entry.name))) continue;
    const { size } = await stat(path);
    if (size >= MIN_BYTES) files.push(path);
  }
  return files;
}

/** Precompresses the build output once Vite has written it. */
export function precompress(): Plugin {
  let outDir = 'dist';
  let log: (message: string) => void = () => {};
  return {
    name: 'flowdeck:precompress',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
      log = (message) => config.logger.info(message);
    },
    async writeBundle(options) {
      const totals = await precompressDir(options.dir ?? outDir);
      const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
      log(
        `precompressed ${totals.files} files: ${kb(totals.bytes)} → brotli ${kb(totals.brotli)}, gzip ${kb(totals.gzip)}`,
      );
    },
  };
}
