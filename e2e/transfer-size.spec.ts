import type { APIRequestContext, Page, Response } from '@playwright/test';
import { expect, openFlow, openScheduleDialog, runsRegion, test } from './fixtures.ts';

/**
 * What the browser downloads, as it receives it: every script the console loads arrives
 * compressed (brotli or gzip, precompressed at build time) and cached for a year. The sizes
 * are printed and attached to the report; the only size asserted is the first-load budget
 * that `pnpm --filter @flowdeck/console size` also checks.
 */
const FIRST_LOAD_BUDGET_BYTES = 250 * 1024;

interface Download {
  url: string;
  encoding: string;
  /** Bytes on the wire (the encoded body). */
  bytes: Promise<number>;
  cacheControl: string;
  vary: string;
}

/** Collects every script response of the page, workers' scripts included. */
function watchScripts(page: Page) {
  let seen: Download[] = [];
  page.on('response', (response: Response) => {
    if (!new URL(response.url()).pathname.endsWith('.js')) return;
    const headers = response.headers();
    seen.push({
      url: response.url(),
      encoding: headers['content-encoding'] ?? 'none',
      bytes: encodedBytes(response),
      cacheControl: headers['cache-control'] ?? '',
      vary: headers.vary ?? '',
    });
  });
  return {
    /** What arrived since the last call. */
    take(): Download[] {
      const taken = seen;
      seen = [];
      return taken;
    },
  };
}

async function encodedBytes(response: Response): Promise<number> {
  const length = response.headers()['content-length'];
  if (length !== undefined) return Number(length);
  return (await response.request().sizes()).responseBodySize;
}

interface Measured {
  file: string;
  encoding: string;
  bytes: number;
  originalBytes: number;
}

async function measure(request: APIRequestContext, downloads: Download[]): Promise<Measured[]> {
  return Promise.all(
    downloads.map(async (download) => ({
      file: new URL(download.url).pathname.replace('/assets/', ''),
      encoding: download.encoding,
      bytes: await download.bytes,
      originalBytes: (await (await request.get(download.url)).body()).length,
    })),
  );
}

function report(title: string, rows: Measured[]): string {
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const total = (key: 'bytes' | 'originalBytes') => rows.reduce((sum, row) => sum + row[key], 0);
  return [
    `${title}: ${kb(total('bytes'))} of JavaScript received (${kb(total('originalBytes'))} uncompressed)`,
    ...rows.map(
      (row) =>
        `  ${kb(row.bytes).padStart(9)} ${row.encoding.padEnd(5)} ${kb(row.originalBytes).padStart(9)}  ${row.file}`,
    ),
  ].join('\n');
}

test('the console’s JavaScript arrives compressed and long-cached, on first load and with the schedule dialog’s editor', async ({
  page,
  request,
}, testInfo) => {
  const scripts = watchScripts(page);
  await openFlow(page, 'example-flow');
  await expect(runsRegion(page)).toBeVisible();
  const firstLoad = scripts.take();

  // The editor's lazy chunks, then its JSON worker, which starts once the editor holds a document.
  const jsonWorker = page.waitForResponse((response) => /\/json\.worker-[^/]+\.js$/.test(response.url()));
  const dialog = await openScheduleDialog(page);
  await expect(dialog.getByLabel('Input')).toBeVisible();
  await jsonWorker;
  const dialogLoad = scripts.take();

  for (const download of [...firstLoad, ...dialogLoad]) {
    expect(download.encoding, download.url).toMatch(/^(br|gzip)$/);
    expect(download.cacheControl, download.url).toBe('public, max-age=31536000, immutable');
    expect(download.vary.toLowerCase(), download.url).toContain('accept-encoding');
  }
  expect(dialogLoad.map((download) => download.url)).toContainEqual(
    expect.stringMatching(/MonacoJsonEditor/),
  );

  const first = await measure(request, firstLoad);
  const editor = await measure(request, dialogLoad);
  for (const row of [...first, ...editor]) expect(row.bytes, row.file).toBeLessThan(row.originalBytes);
  const firstLoadBytes = first.reduce((sum, row) => sum + row.bytes, 0);
  expect(firstLoadBytes).toBeLessThan(FIRST_LOAD_BUDGET_BYTES);

  const text = `${report('First load', first)}\n${report('Opening the schedule dialog', editor)}`;
  console.log(text);
  await testInfo.attach('transfer sizes', { body: text, contentType: 'text/plain' });
});
