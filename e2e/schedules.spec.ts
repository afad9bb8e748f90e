import {
  createCronSchedule,
  expect,
  openFlow,
  openScheduleDialog,
  runsRegion,
  scheduleItem,
  scheduleRunCount,
  test,
  typeInput,
} from './fixtures.ts';

test('schedule with the Every 5 minutes preset: listed with its plain-English text and next run', async ({
  page,
  unique,
}) => {
  const description = unique('every five');
  await openFlow(page, 'example-flow');
  const dialog = await openScheduleDialog(page);

  await expect(dialog.getByRole('tab', { name: 'Cron' })).toHaveAttribute('aria-selected', 'true');
  for (const tab of ['Interval', 'Delay', 'At time'])
    await expect(dialog.getByRole('tab', { name: tab })).toBeVisible();
  const presets = await dialog.getByLabel('Preset').locator('option').allInnerTexts();
  expect(presets).toEqual([
    'Every minute',
    'Every 5 minutes',
    'Hourly',
    'Daily at 2 AM',
    'Daily at noon',
    'Weekly on Monday at 9 AM',
    'Monthly on the 1st at midnight',
    'Custom',
  ]);

  await dialog.getByLabel('Preset').selectOption({ label: 'Every 5 minutes' });
  await expect(dialog.getByLabel('Cron expression')).toHaveValue('*/5 * * * *');
  await expect(dialog.getByLabel('Timezone')).toHaveValue('UTC');
  // The live preview: plain English and the next five fire times.
  const preview = dialog.getByRole('region', { name: 'Preview' });
  await expect(preview.getByText(/Every 5 minutes/)).toBeVisible();
  await expect(preview.getByRole('listitem')).toHaveCount(5);

  await dialog.getByLabel('Description').fill(description);
  await dialog.getByLabel('Tags').fill('e2e, reports');
  await dialog.getByRole('button', { name: 'Schedule Flow' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Schedule created' })).toBeVisible();

  const item = scheduleItem(page, description);
  await expect(item).toBeVisible();
  await expect(item.getByText('*/5 * * * *')).toBeVisible();
  await expect(item.getByText('Every 5 minutes')).toBeVisible();
  await expect(item.getByText('active')).toBeVisible();
  await expect(item.getByText('reports')).toBeVisible();
  await expect(item.getByText(/^in \d+ (seconds?|minutes?)$/)).toBeVisible();

  // Clicking the schedule opens its detail with the upcoming fire times.
  await item.getByRole('button', { name: '*/5 * * * *' }).click();
  const detail = page.getByRole('dialog', { name: 'Schedule details' });
  await expect(detail.getByRole('list', { name: 'Upcoming runs' }).getByRole('listitem')).toHaveCount(5);
  await page.keyboard.press('Escape');
  await expect(detail).toBeHidden();
});

test('a 2-second delay schedule starts a run with trigger schedule that completes', async ({
  page,
  unique,
}) => {
  const description = unique('two second delay');
  await openFlow(page, 'example-flow');
  const dialog = await openScheduleDialog(page);
  await dialog.getByRole('tab', { name: 'Delay' }).click();
  await expect(dialog.getByLabel('Delay')).toHaveValue('5');
  await expect(dialog.getByLabel('Unit')).toHaveValue('minutes');
  await dialog.getByLabel('Delay').fill('2');
  await dialog.getByLabel('Unit').selectOption('seconds');
  await dialog.getByLabel('Description').fill(description);
  await dialog.getByRole('button', { name: 'Schedule Flow' }).click();
  await expect(dialog).toBeHidden();

  const item = scheduleItem(page, description);
  await expect(item).toBeVisible();
  // Once fired, the one-time schedule is completed and has started one run.
  await expect(item.getByText('completed')).toBeVisible({ timeout: 20_000 });
  await expect.poll(() => scheduleRunCount(item)).toBe(1);

  // Its occurrence links to the run, which came from the schedule and completes.
  await item.getByRole('button', { name: /once/ }).click();
  const detail = page.getByRole('dialog', { name: 'Schedule details' });
  const occurrences = detail.getByRole('table', { name: 'Occurrences' });
  await expect(occurrences.getByText('started')).toBeVisible();
  await occurrences.getByRole('link').first().click();
  await expect(detail).toBeHidden();

  const runView = page.getByRole('region', { name: /^Run / });
  await expect(runView.getByText('schedule', { exact: true })).toBeVisible();
  await expect(runView.getByRole('link', { name: 'View schedule' })).toBeVisible();
  await expect(runView.locator('header').getByText('completed', { exact: true })).toBeVisible({
    timeout: 30_000,
  });
  const runId = new URL(page.url()).searchParams.get('run') ?? '';
  const row = runsRegion(page).locator(`tr[data-run-id="${runId}"]`);
  await expect(row.getByText('schedule')).toBeVisible();
  await expect(row.getByText('completed')).toBeVisible();
});

test('a 6-field cron every second fires; paused it starts no runs; resumed it fires again', async ({
  page,
  unique,
}) => {
  const description = unique('every second');
  await openFlow(page, 'example-flow');
  const dialog = await openScheduleDialog(page);
  await dialog.getByLabel('Preset').selectOption({ label: 'Custom' });
  await dialog.getByLabel('Cron expression').fill('* * * * * *');
  await expect(
    dialog
      .getByRole('region', { name: 'Preview' })
      .getByText(/every second/i)
      .first(),
  ).toBeVisible();
  await dialog.getByLabel('Description').fill(description);
  await dialog.getByRole('button', { name: 'Schedule Flow' }).click();
  await expect(dialog).toBeHidden();

  const item = scheduleItem(page, description);
  await expect.poll(() => scheduleRunCount(item), { timeout: 20_000 }).toBeGreaterThanOrEqual(2);

  await item.getByRole('button', { name: 'Pause' }).click();
  await expect(item.getByText('paused').first()).toBeVisible();
  await expect(item.getByRole('button', { name: 'Resume' })).toBeVisible();
  // A fire already picked up when the pause landed may still count; after that, nothing.
  // Each count is read from a fresh page, never from a list that is about to refresh.
  await page.waitForTimeout(1500);
  await page.reload();
  const whilePaused = await scheduleRunCount(scheduleItem(page, description));
  await page.waitForTimeout(3000);
  await page.reload();
  await expect(scheduleItem(page, description).getByText('paused').first()).toBeVisible();
  expect(await scheduleRunCount(scheduleItem(page, description))).toBe(whilePaused);

  await scheduleItem(page, description).getByRole('button', { name: 'Resume' }).click();
  await expect(scheduleItem(page, description).getByText('active')).toBeVisible();
  await expect
    .poll(() => scheduleRunCount(scheduleItem(page, description)), { timeout: 20_000 })
    .toBeGreaterThan(whilePaused);
});

test("editing a schedule's pattern changes its next run", async ({ page, unique }) => {
  const description = unique('edit me');
  await openFlow(page, 'example-flow');
  const item = await createCronSchedule(page, { preset: 'Monthly on the 1st at midnight', description });
  await expect(item.getByText('0 0 1 * *')).toBeVisible();
  const nextRun = item.locator('dd time').first();
  const before = await nextRun.getAttribute('datetime');

  await item.getByRole('button', { name: 'Edit' }).click();
  const dialog = page.getByRole('dialog', { name: 'Edit schedule' });
  await expect(dialog.getByLabel('Description')).toHaveValue(description);
  await expect(dialog.getByLabel('Preset')).toHaveValue('0 0 1 * *');
  await dialog.getByLabel('Preset').selectOption({ label: 'Custom' });
  await dialog.getByLabel('Cron expression').fill('*/2 * * * *');
  await expect(dialog.getByRole('region', { name: 'Preview' }).getByText(/Every 2 minutes/)).toBeVisible();
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Schedule updated' })).toBeVisible();

  await expect(item.getByText('*/2 * * * *')).toBeVisible();
  await expect(item.getByText('Every 2 minutes')).toBeVisible();
  await expect(nextRun).not.toHaveAttribute('datetime', before ?? '');
  const after = Date.parse((await nextRun.getAttribute('datetime')) ?? '');
  expect(after - Date.now()).toBeLessThanOrEqual(2 * 60_000);
});

test('Run now starts a run of the schedule at once', async ({ page, unique }) => {
  const description = unique('run now');
  await openFlow(page, 'example-flow');
  const item = await createCronSchedule(page, { preset: 'Daily at 2 AM', description });
  expect(await scheduleRunCount(item)).toBe(0);

  await item.getByRole('button', { name: 'Run now' }).click();
  await expect(page.getByRole('status').filter({ hasText: /Run (started|queued)/ })).toBeVisible();
  await expect.poll(() => scheduleRunCount(item), { timeout: 20_000 }).toBe(1);
  // The schedule itself has not moved: still active, still next at 2 AM.
  await expect(item.getByText('active')).toBeVisible();
  await expect(item.getByText('0 2 * * *')).toBeVisible();
});

test('delete asks for confirmation first', async ({ page, unique }) => {
  const description = unique('delete me');
  await openFlow(page, 'example-flow');
  const item = await createCronSchedule(page, { preset: 'Hourly', description });

  await item.getByRole('button', { name: 'Delete' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Delete schedule?' });
  await expect(confirm).toBeVisible();
  await expect(confirm.getByText(description)).toBeVisible();
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toBeHidden();
  await expect(item).toBeVisible();

  await item.getByRole('button', { name: 'Delete' }).click();
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await expect(confirm).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: /deleted/i })).toBeVisible();
  await expect(scheduleItem(page, description)).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole('region', { name: 'Runs' })).toBeVisible();
  await expect(scheduleItem(page, description)).toHaveCount(0);
});

test('invalid JSON in Input blocks Schedule Flow', async ({ page, unique }) => {
  await openFlow(page, 'example-flow');
  const dialog = await openScheduleDialog(page);
  await dialog.getByLabel('Description').fill(unique('bad json'));
  const submit = dialog.getByRole('button', { name: 'Schedule Flow' });
  await expect(submit).toBeEnabled();

  await typeInput(page, dialog, '{"orderId": "A-1",');
  await expect(dialog.getByText(/not valid JSON|expected/i).first()).toBeVisible();
  await expect(submit).toBeDisabled();

  await typeInput(page, dialog, '{"orderId": "A-1"}');
  await expect(submit).toBeEnabled();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
});

test('a server-side validation error is shown in the dialog, which keeps what was typed', async ({
  page,
  unique,
}) => {
  const description = unique('bad cron');
  await openFlow(page, 'example-flow');
  const dialog = await openScheduleDialog(page);
  await dialog.getByLabel('Preset').selectOption({ label: 'Custom' });
  await dialog.getByLabel('Cron expression').fill('61 * * * *');
  await dialog.getByLabel('Description').fill(description);
  await dialog.getByRole('button', { name: 'Schedule Flow' }).click();

  const alert = dialog.getByRole('alert');
  await expect(alert).toBeVisible();
  await expect(alert).toContainText('cron');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('Cron expression')).toHaveValue('61 * * * *');
  await expect(dialog.getByLabel('Description')).toHaveValue(description);
  await expect(dialog.getByLabel('Cron expression')).toHaveAttribute('aria-invalid', 'true');

  await dialog.getByLabel('Cron expression').fill('1 * * * *');
  await dialog.getByRole('button', { name: 'Schedule Flow' }).click();
  await expect(dialog).toBeHidden();
  await expect(scheduleItem(page, description)).toBeVisible();
});

test('interval and one-time schedules are listed with what they mean', async ({ page, unique }) => {
  const interval = unique('every ninety minutes');
  const oneTime = unique('once next year');
  await openFlow(page, 'example-flow');

  let dialog = await openScheduleDialog(page);
  await dialog.getByRole('tab', { name: 'Interval' }).click();
  await dialog.getByLabel('Every').fill('90');
  await dialog.getByLabel('Unit').selectOption('minutes');
  await expect(dialog.getByRole('region', { name: 'Preview' }).getByRole('listitem')).toHaveCount(5);
  await dialog.getByLabel('Description').fill(interval);
  await dialog.getByRole('button', { name: 'Schedule Flow' }).click();
  await expect(dialog).toBeHidden();
  await expect(scheduleItem(page, interval).getByText('Every 90 minutes')).toBeVisible();
  await expect(scheduleItem(page, interval).getByText('every 1h 30m')).toBeVisible();

  const nextYear = new Date().getFullYear() + 1;
  dialog = await openScheduleDialog(page);
  await dialog.getByRole('tab', { name: 'At time' }).click();
  await dialog.getByLabel('Run at').fill(`${nextYear}-03-01T09:30`);
  await expect(dialog.getByRole('region', { name: 'Preview' }).getByRole('listitem')).toHaveCount(1);
  await dialog.getByLabel('Description').fill(oneTime);
  await dialog.getByRole('button', { name: 'Schedule Flow' }).click();
  await expect(dialog).toBeHidden();
  const item = scheduleItem(page, oneTime);
  await expect(item.getByText(`once at ${nextYear}-03-01T09:30:00.000Z`)).toBeVisible();
  await expect(item.getByText('active')).toBeVisible();
});
