// Prints the gzip and brotli sizes of the JavaScript a browser downloads to show the flows page
// (the entry chunk, the flows page chunk and everything they import statically) and fails when
// the gzip total is over the budget. The API sends the build's brotli copy to browsers that take
// it (e2e/transfer-size.spec.ts measures what Chromium receives). Monaco and its workers load
// later, on first use, and are not counted.
//
//   pnpm --filter @flowdeck/console build && pnpm --filter @flowdeck/console size

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const BUDGET_KB = 250;
const FIRST_PAGE = 'src/features/flows/components/FlowsPage.tsx';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const manifest = JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8'));
const entryKey = Object.keys(manifest).find((key) => manifest[key].isEntry);
if (!entryKey) throw new Error('no entry chunk in dist/.vite/manifest.json; run the build first');

const files = new Set();
const visit = (key) => {
  const chunk = manifest[key];
  if (!chunk || files.has(chunk.file)) return;
  files.add(chunk.file);
  for (const imported of chunk.imports ?? []) visit(imported);
};
visit(entryKey);
visit(FIRST_PAGE);

const kb = (bytes) => `${(bytes / 1024).toFixed(1).padStart(8)} KB`;
/** The build's own brotli copy when it made one (vite-plugins/precompress.ts), else the same settings. */
const brotliSize = (path, content) =>
  existsSync(`${path}.br`)
    ? readFileSync(`${path}.br`).length
    : brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;

let total = 0;
let totalBrotli = 0;
console.log(`${'gzip'.padStart(11)} ${'brotli'.padStart(11)}`);
for (const file of [...files].sort()) {
  const path = join(dist, file);
  const content = readFileSync(path);
  const size = gzipSync(content, { level: 9 }).length;
  const brotli = brotliSize(path, content);
  total += size;
  totalBrotli += brotli;
  console.log(`${kb(size)} ${kb(brotli)}  ${file}`);
}
const totalKb = total / 1024;
console.log(`${kb(total)} ${kb(totalBrotli)}  first load (budget ${BUDGET_KB} KB gzip)`);
if (totalKb > BUDGET_KB) {
  console.error(`The first load is over budget by ${(totalKb - BUDGET_KB).toFixed(1)} KB.`);
  process.exit(1);
}
