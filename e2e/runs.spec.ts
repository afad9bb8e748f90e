import {
  expect,
  flowActions,
  openFlow,
  openScheduleDialog,
  runsRegion,
  test,
  typeInput,
} from './fixtures.ts';

test('start example-flow with input typed into Monaco and watch it complete with four steps', async ({
  page,
}) => {
  const orderId = `order-${Date.now().toString(36)}`;
  await openFlow(page, 'example-flow');
  await flowActions(page).getByRole('button', { name: 'Start', exact: true }).click();

  const dialog = page.getByRole('dialog', { name: 'Start flow' });
  await expect(dialog).toBeVisible();
  await typeInput(page, dialog, `{"orderId": "${orderId}", "count": 3}`);
  await dialog.getByRole('button', { name: 'Start Flow' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: /Started run/ })).toBeVisible();

  // The new run's view opens, and the run shows up in the list.
  const runView = page.getByRole('region', { name: /^Run / });
  await expect(runView).toBeVisible();
  await expect(page).toHaveURL(/[?&]run=/);
  const runId = new URL(page.url()).searchParams.get('run') ?? '';
  await expect(runsRegion(page).locator(`tr[data-run-id="${runId}"]`)).toBeVisible();

  // Input as typed; then every step completes and so does the run.
  await expect(runView.getByText(orderId).first()).toBeVisible();
  const steps = runView.getByRole('list', { name: 'Steps' });
  for (const step of ['fetch', 'transform', 'audit', 'store']) {
    await expect(steps.getByRole('listitem', { name: `Step ${step}` })).toBeVisible();
  }
  await expect(runView.locator('header').getByText('completed', { exact: true })).toBeVisible({
    timeout: 30_000,
  });
  for (const step of ['fetch', 'transform', 'audit', 'store']) {
    await expect(steps.getByRole('listitem', { name: `Step ${step}` }).getByText('completed')).toBeVisible();
  }
  await expect(runView.getByText('4/4')).toBeVisible();

  // The live timeline recorded the whole run, with the steps' log lines.
  const events = runView.getByRole('list', { name: 'Events' });
  await expect(events.getByText('run.started')).toBeVisible();
  await expect(events.getByText('step.log').first()).toBeVisible();
  await expect(events.getByText('run.completed')).toBeVisible();

  // The list row agrees, with its trigger and step progress.
  const row = runsRegion(page).locator(`tr[data-run-id="${runId}"]`);
  await expect(row.getByText('completed')).toBeVisible();
  await expect(row.getByText('manual')).toBeVisible();
  await expect(row.getByText('4/4')).toBeVisible();

  // Export JSON downloads the run with its events.
  const download = page.waitForEvent('download');
  await runView.getByRole('button', { name: 'Export JSON' }).click();
  expect((await download).suggestedFilename()).toBe(`example-flow-${runId}.json`);
});

test('invalid JSON in Input blocks Start Flow until it is fixed', async ({ page }) => {
  await openFlow(page, 'example-flow');
  await flowActions(page).getByRole('button', { name: 'Start', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Start flow' });

  await typeInput(page, dialog, '{"orderId": ');
  await expect(dialog.getByRole('list', { name: 'JSON problems' })).toHaveText(/^Not valid JSON: /);
  await expect(dialog.getByRole('button', { name: 'Start Flow' })).toBeDisabled();

  await typeInput(page, dialog, '{"orderId": "fixed"}');
  await expect(dialog.getByRole('button', { name: 'Start Flow' })).toBeEnabled();

  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
});

test('one JSON mistake is one problem line, worded the same in the Start and Schedule dialogs', async ({
  page,
}) => {
  const mistake = '{"orderId": "A-1", "count": 3,}';
  await openFlow(page, 'example-flow');

  await flowActions(page).getByRole('button', { name: 'Start', exact: true }).click();
  const start = page.getByRole('dialog', { name: 'Start flow' });
  await typeInput(page, start, mistake);
  // Monaco has underlined the mistake, so its own complaints have arrived and been folded in.
  await expect(start.locator('.squiggly-error').first()).toBeVisible();
  const startProblems = start.getByRole('list', { name: 'JSON problems' }).getByRole('listitem');
  await expect(startProblems).toHaveCount(1);
  await expect(startProblems).toHaveText(/^Not valid JSON: .+ \(line 1, column 31\)$/);
  const wording = (await startProblems.textContent()) ?? '';
  await start.getByRole('button', { name: 'Cancel' }).click();
  await expect(start).toBeHidden();

  const schedule = await openScheduleDialog(page);
  await typeInput(page, schedule, mistake);
  await expect(schedule.locator('.squiggly-error').first()).toBeVisible();
  const scheduleProblems = schedule.getByRole('list', { name: 'JSON problems' }).getByRole('listitem');
  await expect(scheduleProblems).toHaveCount(1);
  await expect(scheduleProblems).toHaveText(wording);
  await schedule.getByRole('button', { name: 'Cancel' }).click();
});

test("input that breaks the flow's schema is shown and blocks starting", async ({ page }) => {
  await openFlow(page, 'cleanup-flow');
  await flowActions(page).getByRole('button', { name: 'Start', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Start flow' });

  await typeInput(page, dialog, '{"retentionDays": 1000}');
  await expect(dialog.getByText(/365/).first()).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Start Flow' })).toBeDisabled();

  await typeInput(page, dialog, '{"retentionDays": 30}');
  await expect(dialog.getByRole('button', { name: 'Start Flow' })).toBeEnabled();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
});

test('a run has its own page, linked from the run panel', async ({ page }) => {
  await openFlow(page, 'example-flow');
  await flowActions(page).getByRole('button', { name: 'Start', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Start flow' });
  await dialog.getByRole('button', { name: 'Start Flow' }).click();
  await expect(dialog).toBeHidden();

  await page.getByRole('region', { name: /^Run / }).getByRole('link', { name: 'Open page' }).click();
  await expect(page).toHaveURL(/\/flows\/example-flow\/runs\/[^/]+$/);
  await expect(page.getByRole('heading', { name: /^Run / })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { name: /^Run / })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Steps' })).toBeVisible();
  await page
    .getByRole('link', { name: /example-flow/ })
    .first()
    .click();
  await expect(page).toHaveURL(/\/flows\?flow=example-flow/);
});

test('a failed run shows which step failed, and the runs list filters by status', async ({ page }) => {
  await openFlow(page, 'flaky-flow');
  await flowActions(page).getByRole('button', { name: 'Start', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Start flow' });
  await typeInput(page, dialog, '{"failForGood": true}');
  await dialog.getByRole('button', { name: 'Start Flow' }).click();
  await expect(dialog).toBeHidden();

  const runView = page.getByRole('region', { name: /^Run / });
  await expect(runView.locator('header').getByText('failed', { exact: true })).toBeVisible({
    timeout: 30_000,
  });
  await expect(runView.getByText(/Failed in unreliable/)).toBeVisible();
  const steps = runView.getByRole('list', { name: 'Steps' });
  await expect(steps.getByRole('listitem', { name: 'Step unreliable' }).getByText('failed')).toBeVisible();
  // Its dependant never started.
  await expect(
    steps.getByRole('listitem', { name: 'Step store' }).getByText(/pending|skipped/),
  ).toBeVisible();
  await expect(runView.getByRole('list', { name: 'Events' }).getByText('step.retry').first()).toBeVisible();

  const runId = new URL(page.url()).searchParams.get('run') ?? '';
  const runs = runsRegion(page);
  await runs.getByLabel('Status').selectOption('failed');
  await expect(runs.locator(`tr[data-run-id="${runId}"]`)).toBeVisible();
  await expect(runs.getByRole('row').filter({ hasText: 'completed' })).toHaveCount(0);
  await runs.getByLabel('Status').selectOption('completed');
  await expect(runs.locator(`tr[data-run-id="${runId}"]`)).toHaveCount(0);
});
