import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { createCronSchedule, expect, flowActions, openFlow, openScheduleDialog, test } from './fixtures.ts';

/**
 * Pictures of the main screens for the README, taken from the real running stack. They go
 * to docs/screenshots/ with FLOWDECK_UPDATE_SCREENSHOTS=1, else beside the test's other
 * output, so an ordinary test run leaves the working tree as it was.
 */
const docsFolder = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'screenshots');

async function dismissToasts(page: Page) {
  const buttons = page.getByRole('button', { name: 'Dismiss notification' });
  while ((await buttons.count()) > 0) await buttons.first().click();
}

test('screenshots of the flows page, the schedule dialog and the run view', async ({
  page,
  unique,
}, testInfo) => {
  const folder =
    process.env.FLOWDECK_UPDATE_SCREENSHOTS === '1' ? docsFolder : testInfo.outputPath('screenshots');
  mkdirSync(folder, { recursive: true });
  await page.setViewportSize({ width: 1440, height: 960 });
  await openFlow(page, 'example-flow');
  await createCronSchedule(page, { preset: 'Daily at 2 AM', description: unique('Nightly export') });

  // A finished run selected beside the lists: the flows page with its run panel.
  await flowActions(page).getByRole('button', { name: 'Start', exact: true }).click();
  const start = page.getByRole('dialog', { name: 'Start flow' });
  await start.getByRole('button', { name: 'Start Flow' }).click();
  await expect(start).toBeHidden();
  const runView = page.getByRole('region', { name: /^Run / });
  await expect(runView.locator('header').getByText('completed', { exact: true })).toBeVisible({
    timeout: 30_000,
  });
  await expect(runView.getByText('run.completed')).toBeVisible();
  await dismissToasts(page);
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(folder, 'flows-page.png') });

  await runView.getByRole('link', { name: 'Open page' }).click();
  await expect(page.getByRole('list', { name: 'Steps' })).toBeVisible();
  await expect(page.getByText('run.completed')).toBeVisible();
  await dismissToasts(page);
  await page.screenshot({ path: join(folder, 'run-view.png'), fullPage: true });

  await openFlow(page, 'example-flow');
  const dialog = await openScheduleDialog(page);
  await dialog.getByLabel('Preset').selectOption({ label: 'Weekly on Monday at 9 AM' });
  await dialog.getByLabel('Description').fill('Weekly report for the ops team');
  await dialog.getByLabel('Tags').fill('reports, weekly');
  await expect(dialog.getByRole('region', { name: 'Preview' }).getByRole('listitem')).toHaveCount(5);
  await expect(dialog.getByLabel('Input')).toBeVisible();
  await page.screenshot({ path: join(folder, 'schedule-dialog.png') });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
});
