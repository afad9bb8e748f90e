import {
  createCronSchedule,
  expect,
  openFlow,
  openScheduleDialog,
  pauseSchedule,
  runsRegion,
  scheduleFact,
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

  await pauseSchedule(page, item);
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

test('Run now queues a run of the schedule, says for when, and the run appears once a worker starts it', async ({
  page,
  unique,
}) => {
  const description = unique('run now');
  await openFlow(page, 'example-flow');
  const item = await createCronSchedule(page, { preset: 'Daily at 2 AM', description });
  expect(await scheduleRunCount(item)).toBe(0);

  // "Run now" answers 202 at once with the fire queued; the worker then starts its run.
  await item.getByRole('button', { name: 'Run now' }).click();
  // The browser's zone (UTC in this suite) is named in the toast.
  await expect(
    page.getByRole('status').filter({ hasText: /Run queued for \d{1,2} \w{3} \d{4}, [\d:]{8} UTC/ }),
  ).toBeVisible();
  await expect.poll(() => scheduleRunCount(item), { timeout: 20_000 }).toBe(1);
  // The schedule itself has not moved: still active, still next at 2 AM.
  await expect(item.getByText('active')).toBeVisible();
  await expect(item.getByText('0 2 * * *')).toBeVisible();

  // Its history has the manual fire, linked to the run the worker started, which the runs list shows.
  await item.getByTitle('Show details').click();
  const detail = page.getByRole('dialog', { name: 'Schedule details' });
  const fired = detail.getByRole('table', { name: 'Occurrences' }).getByRole('row').nth(1);
  await expect(fired).toContainText('(run now)');
  await expect(fired.getByText('started')).toBeVisible();
  const href = (await fired.getByRole('link').getAttribute('href')) ?? '';
  const runId = new URL(href, page.url()).searchParams.get('run');
  await page.keyboard.press('Escape');
  await expect(detail).toBeHidden();
  const row = runsRegion(page).locator(`tr[data-run-id="${runId}"]`);
  await expect(row.getByText('schedule', { exact: true })).toBeVisible();
});

test('pausing asks for an optional reason, which the list and the details show until it is resumed', async ({
  page,
  unique,
}) => {
  const description = unique('paused with a reason');
  await openFlow(page, 'example-flow');
  const item = await createCronSchedule(page, { preset: 'Hourly', description });

  await pauseSchedule(page, item, 'upstream maintenance until Monday');
  await expect(
    page.getByRole('status').filter({ hasText: 'Schedule paused: upstream maintenance until Monday' }),
  ).toBeVisible();
  await expect(item.getByText('Paused: upstream maintenance until Monday')).toBeVisible();
  await expect(scheduleFact(item, 'Next run')).toHaveText('paused');

  // Read back from the server, not from what the page remembered.
  await page.reload();
  const reloaded = scheduleItem(page, description);
  await expect(reloaded.getByText('Paused: upstream maintenance until Monday')).toBeVisible();
  await reloaded.getByTitle('Show details').click();
  const detail = page.getByRole('dialog', { name: 'Schedule details' });
  await expect(
    detail.locator('dt', { hasText: 'Pause reason' }).locator('xpath=following-sibling::dd[1]'),
  ).toHaveText('upstream maintenance until Monday');
  await page.keyboard.press('Escape');
  await expect(detail).toBeHidden();

  await reloaded.getByRole('button', { name: 'Resume' }).click();
  await expect(reloaded.getByText('active')).toBeVisible();
  await expect(reloaded.getByText(/^Paused:/)).toHaveCount(0);
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
  await expect(dialog.getByRole('list', { name: 'JSON problems' })).toHaveText(/^Not valid JSON: /);
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
  await expect(dialog.getByRole('region', { name: 'Preview' })).toContainText(
    `Once at 1 Mar ${nextYear}, 09:30:00 UTC`,
  );
  await dialog.getByLabel('Description').fill(oneTime);
  await dialog.getByRole('button', { name: 'Schedule Flow' }).click();
  await expect(dialog).toBeHidden();
  const item = scheduleItem(page, oneTime);
  await expect(item.getByText(`once at ${nextYear}-03-01T09:30:00.000Z`)).toBeVisible();
  await expect(item.getByText(`Once at 1 Mar ${nextYear}, 09:30:00 UTC`)).toBeVisible();
  await expect(item.getByText('active')).toBeVisible();
});

test.describe('seen from a browser in Los Angeles', () => {
  test.use({ timezoneId: 'America/Los_Angeles' });

  /** "5 Dec 2026, 17:00:00 PST (6 Dec 2026, 02:00:00 CET in Europe/Berlin)": 02:00 Berlin, both zones named. */
  const BERLIN_TWO_AM =
    /\d{1,2} \w{3} \d{4}, 1[78]:00:00 P[SD]T \(\d{1,2} \w{3} \d{4}, 02:00:00 CES?T in Europe\/Berlin\)/;

  test("a Berlin schedule's times are shown in the browser's zone, named, with Berlin's beside them", async ({
    page,
    unique,
  }) => {
    const description = unique('berlin nightly');
    await openFlow(page, 'example-flow');
    const dialog = await openScheduleDialog(page);
    await expect(dialog.getByLabel('Timezone')).toHaveValue('America/Los_Angeles');
    await dialog.getByLabel('Preset').selectOption({ label: 'Daily at 2 AM' });
    await dialog.getByLabel('Timezone').fill('Europe/Berlin');
    const runs = dialog
      .getByRole('region', { name: 'Preview' })
      .getByRole('list', { name: 'Next runs' })
      .getByRole('listitem');
    await expect(runs).toHaveCount(5);
    for (const run of await runs.all()) await expect(run).toHaveText(BERLIN_TWO_AM);
    await dialog.getByLabel('Description').fill(description);
    await dialog.getByRole('button', { name: 'Schedule Flow' }).click();
    await expect(dialog).toBeHidden();

    const item = scheduleItem(page, description);
    await expect(scheduleFact(item, 'Next run')).toHaveText(/^in \d+ (hours?|minutes?) · /);
    await expect(scheduleFact(item, 'Next run')).toContainText(BERLIN_TWO_AM);

    await item.getByTitle('Show details').click();
    const detail = page.getByRole('dialog', { name: 'Schedule details' });
    const upcoming = detail.getByRole('list', { name: 'Upcoming runs' }).getByRole('listitem');
    await expect(upcoming).toHaveCount(5);
    await expect(upcoming.first()).toContainText(BERLIN_TWO_AM);
    await page.keyboard.press('Escape');
    await expect(detail).toBeHidden();

    // Run now: planned for now, which the toast and the history give in Los Angeles time first.
    await item.getByRole('button', { name: 'Run now' }).click();
    await expect(
      page.getByRole('status').filter({ hasText: /Run queued for \d{1,2} \w{3} \d{4}, [\d:]{8} P[SD]T/ }),
    ).toBeVisible();
    await item.getByTitle('Show details').click();
    const planned = detail
      .getByRole('table', { name: 'Occurrences' })
      .getByRole('row')
      .nth(1)
      .getByRole('cell')
      .first();
    await expect(planned).toHaveText(
      /^\d{1,2} \w{3} \d{4}, [\d:]{8} P[SD]T \(\d{1,2} \w{3} \d{4}, [\d:]{8} CES?T in Europe\/Berlin\) \(run now\)$/,
    );
  });

  test('the Delay and At time previews lead with a local time that keeps up with the clock', async ({
    page,
  }) => {
    await page.clock.setFixedTime(new Date('2030-01-15T17:00:00Z'));
    await openFlow(page, 'example-flow');
    const dialog = await openScheduleDialog(page);
    const preview = dialog.getByRole('region', { name: 'Preview' });

    await dialog.getByRole('tab', { name: 'Delay' }).click();
    await expect(preview).toContainText('Once at 15 Jan 2030, 09:05:00 PST');
    await expect(preview).toContainText('5 min after you save');
    await page.clock.setFixedTime(new Date('2030-01-15T17:02:00Z'));
    await expect(preview).toContainText('Once at 15 Jan 2030, 09:07:00 PST');

    await dialog.getByRole('tab', { name: 'At time' }).click();
    await dialog.getByLabel('Run at').fill('2030-01-15T12:30');
    await expect(preview).toContainText('Once at 15 Jan 2030, 12:30:00 PST');
    await expect(preview).toContainText('in 3 hours');
    await page.clock.setFixedTime(new Date('2030-01-15T20:10:00Z'));
    await expect(preview).toContainText('in 20 minutes');
    await expect(preview).not.toContainText('2030-01-15T');
  });
});
