import { test as base, expect, type Locator, type Page } from '@playwright/test';

/**
 * Shared steps for the console's end-to-end tests. Tests share one running stack, so each
 * names what it creates with a unique description and removes its schedules afterwards.
 */

interface ScheduleFixtures {
  /** A description unique to this test; schedules carrying it are deleted after the test. */
  unique: (label: string) => string;
}

let counter = 0;

export const test = base.extend<ScheduleFixtures>({
  unique: async ({ request }, use, testInfo) => {
    const marker = `e2e-${Date.now().toString(36)}-${testInfo.workerIndex}-${counter++}`;
    const made: string[] = [];
    await use((label: string) => {
      const value = `${label} ${marker}`;
      made.push(value);
      return value;
    });
    // Cleanup through the API, so a failed test never leaves a schedule firing for the next one.
    const response = await request.get('/api/_flows/schedules');
    if (!response.ok()) return;
    const schedules = (await response.json()) as Array<{
      id: string;
      flowName: string;
      metadata: { description?: string };
    }>;
    for (const schedule of schedules) {
      if (!schedule.metadata.description?.includes(marker)) continue;
      await request.delete(`/api/_flows/${schedule.flowName}/schedules/${encodeURIComponent(schedule.id)}`);
    }
  },
});

export { expect };

/** Opens the flows page on `flowName` and waits until the page shows it. */
export async function openFlow(page: Page, flowName: string): Promise<void> {
  await page.goto(`/flows?flow=${flowName}`);
  await expect(page.getByRole('combobox', { name: 'Flow' })).toHaveValue(flowName);
}

/** The Start and Schedule buttons at the top of the flows page. */
export function flowActions(page: Page): Locator {
  return page.getByRole('group', { name: 'Flow actions' });
}

/** Replaces the Monaco editor's text the way a person would: click, select all, type. */
export async function typeInput(page: Page, dialog: Locator, text: string): Promise<void> {
  const editor = dialog.getByLabel('Input');
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.type(text);
}

export function schedulesRegion(page: Page): Locator {
  return page.getByRole('region', { name: /^Schedules/ });
}

/** The schedule list entry whose description is `description`. */
export function scheduleItem(page: Page, description: string): Locator {
  return schedulesRegion(page).getByRole('listitem').filter({ hasText: description });
}

export function runsRegion(page: Page): Locator {
  return page.getByRole('region', { name: 'Runs' });
}

/** Opens the Schedule flow dialog from the flow actions. */
export async function openScheduleDialog(page: Page): Promise<Locator> {
  await flowActions(page).getByRole('button', { name: 'Schedule', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Schedule flow' });
  await expect(dialog).toBeVisible();
  return dialog;
}

/** Fills the Cron tab with a preset (or a custom pattern), a zone and a description, and submits. */
export async function createCronSchedule(
  page: Page,
  options: { preset?: string; cron?: string; tz?: string; description: string },
): Promise<Locator> {
  const dialog = await openScheduleDialog(page);
  if (options.cron) {
    await dialog.getByLabel('Preset').selectOption({ label: 'Custom' });
    await dialog.getByLabel('Cron expression').fill(options.cron);
  } else {
    await dialog.getByLabel('Preset').selectOption({ label: options.preset ?? 'Every 5 minutes' });
  }
  if (options.tz) await dialog.getByLabel('Timezone').fill(options.tz);
  await dialog.getByLabel('Description').fill(options.description);
  await dialog.getByRole('button', { name: 'Schedule Flow' }).click();
  await expect(dialog).toBeHidden();
  const item = scheduleItem(page, options.description);
  await expect(item).toBeVisible();
  return item;
}

/** The number a schedule entry shows under "Runs". */
export async function scheduleRunCount(item: Locator): Promise<number> {
  const text = await scheduleFact(item, 'Runs').textContent();
  return Number((text ?? '').trim());
}

/** Pauses a schedule from its list entry, giving `reason` in the dialog that asks for one. */
export async function pauseSchedule(page: Page, item: Locator, reason?: string): Promise<void> {
  await item.getByRole('button', { name: 'Pause', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Pause schedule' });
  await expect(dialog).toBeVisible();
  if (reason) await dialog.getByLabel('Reason (optional)').fill(reason);
  await dialog.getByRole('button', { name: 'Pause schedule' }).click();
  await expect(dialog).toBeHidden();
}

/** The text of a schedule entry's fact (`Next run`, `Runs`, `Last run`). */
export function scheduleFact(item: Locator, name: string): Locator {
  return item.locator('dt', { hasText: new RegExp(`^${name}$`) }).locator('xpath=following-sibling::dd[1]');
}
