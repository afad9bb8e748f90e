import { expect, openFlow, openScheduleDialog, runsRegion, test } from './fixtures.ts';

/** A phone held upright. */
test.use({ viewport: { width: 390, height: 700 } });

test('at 390 px a run shows its duration and steps on screen, and "seconds ago" on one line', async ({
  page,
  request,
}) => {
  const started = await request.post('/api/_flows/example-flow/start', { data: {} });
  expect(started.status()).toBe(202);
  const { runId } = (await started.json()) as { runId: string };
  await openFlow(page, 'example-flow');

  const row = runsRegion(page).locator(`tr[data-run-id="${runId}"]`);
  await expect(row.getByText('completed')).toBeVisible({ timeout: 30_000 });
  const duration = row.getByRole('cell', { name: /^Duration \d/ });
  const steps = row.getByRole('cell', { name: 'Steps 4/4' });
  await expect(duration).toBeInViewport({ ratio: 1 });
  await expect(steps).toBeInViewport({ ratio: 1 });

  // An inline element that wraps has one box per line.
  const startedAt = row.locator('time');
  await expect(startedAt).toHaveText(/ago$/);
  expect(await startedAt.evaluate((element) => element.getClientRects().length)).toBe(1);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
});

test('a dialog taller than the screen keeps Cancel and Schedule Flow in view', async ({ page }) => {
  await openFlow(page, 'example-flow');
  const dialog = await openScheduleDialog(page);
  await dialog.getByRole('button', { name: 'Advanced' }).click();
  await expect(dialog.getByLabel('Max runs')).toBeVisible();

  // The form is longer than the dialog, which scrolls…
  expect(await dialog.evaluate((element) => element.scrollHeight > element.clientHeight)).toBe(true);
  // …yet its buttons are on screen wherever it is scrolled to.
  for (const scrollTop of [0, 200]) {
    await dialog.evaluate((element, top) => element.scrollTo({ top }), scrollTop);
    await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeInViewport({ ratio: 1 });
    await expect(dialog.getByRole('button', { name: 'Schedule Flow' })).toBeInViewport({ ratio: 1 });
  }
});
