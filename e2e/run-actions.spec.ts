import type { Locator, Page } from '@playwright/test';
import { expect, flowActions, openFlow, runsRegion, test, typeInput } from './fixtures.ts';

/** Starts a run of the open flow from the Start dialog, with `input` when given; answers its view. */
async function startRun(page: Page, input?: string): Promise<Locator> {
  await flowActions(page).getByRole('button', { name: 'Start', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Start flow' });
  await expect(dialog).toBeVisible();
  if (input) await typeInput(page, dialog, input);
  await dialog.getByRole('button', { name: 'Start Flow' }).click();
  await expect(dialog).toBeHidden();
  return page.getByRole('region', { name: /^Run / });
}

/** The run shown beside the list, from the URL. */
function shownRunId(page: Page): string {
  return new URL(page.url()).searchParams.get('run') ?? '';
}

/** The value of a `dt`/`dd` fact (a run's `Replay of`, a step's `attempts`). */
function fact(scope: Locator, name: string): Locator {
  return scope.locator('dt', { hasText: new RegExp(`^${name}$`) }).locator('xpath=following-sibling::dd[1]');
}

async function waitForStatus(runView: Locator, status: string): Promise<void> {
  await expect(runView.locator('header').getByText(status, { exact: true })).toBeVisible({ timeout: 30_000 });
}

/**
 * Starts example-flow runs until Cancel catches one while it runs, and confirms with `reason`.
 * A run takes about three seconds, which a loaded machine can spend before the run view is
 * ready; a run that ends first (Cancel turns off, or the dialog says it has ended) is followed
 * by another, three at most.
 */
async function cancelWhileRunning(page: Page, reason: string): Promise<Locator> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    const runView = await startRun(page);
    const cancel = runView
      .getByRole('group', { name: 'Run actions' })
      .getByRole('button', { name: 'Cancel', exact: true });
    const pressed = await cancel.click({ timeout: 5_000 }).then(
      () => true,
      () => false,
    );
    if (!pressed) continue;
    const confirm = page.getByRole('alertdialog', { name: 'Cancel run' });
    await confirm.getByLabel('Reason (optional)').fill(reason);
    await confirm.getByRole('button', { name: 'Cancel run' }).click();
    const canceled = page
      .getByRole('status')
      .filter({ hasText: `Canceled run ${shownRunId(page).slice(0, 8)}` });
    await expect(canceled.or(confirm.getByRole('alert'))).toBeVisible();
    if (await canceled.isVisible()) {
      await expect(confirm).toBeHidden();
      return runView;
    }
    await expect(confirm.getByRole('alert')).toContainText('has already ended');
    await confirm.getByRole('button', { name: 'Keep running' }).click();
  }
  throw new Error('every run of example-flow ended before Cancel could be pressed');
}

test('an operator cancels a running run after confirming, with a reason; then deletes it', async ({
  page,
}) => {
  await openFlow(page, 'example-flow');
  const runView = await cancelWhileRunning(page, 'wrong source');
  const runId = shownRunId(page);
  const actions = runView.getByRole('group', { name: 'Run actions' });
  await expect(page.getByRole('status').filter({ hasText: /Canceled run \w+: wrong source/ })).toBeVisible();

  await waitForStatus(runView, 'canceled');
  const steps = runView.getByRole('list', { name: 'Steps' });
  await expect(steps.getByRole('listitem', { name: 'Step store' }).getByText('skipped')).toBeVisible();
  const events = runView.getByRole('list', { name: 'Events' });
  await expect(events.getByRole('listitem').filter({ hasText: 'run.canceled' })).toContainText(
    'wrong source',
  );
  await expect(runsRegion(page).locator(`tr[data-run-id="${runId}"]`).getByText('canceled')).toBeVisible();

  // Ended: no second cancel, and the button says why; retrying would be allowed.
  const cancel = actions.getByRole('button', { name: 'Cancel', exact: true });
  await expect(cancel).toBeDisabled();
  await expect(cancel).toHaveAttribute('title', /already ended \(canceled\)/);
  await expect(actions.getByRole('button', { name: 'Retry' })).toBeEnabled();

  await actions.getByRole('button', { name: 'Delete' }).click();
  const ask = page.getByRole('alertdialog', { name: 'Delete run?' });
  await ask.getByRole('button', { name: 'Delete' }).click();
  await expect(ask).toBeHidden();
  await expect(
    page.getByRole('status').filter({ hasText: `Deleted run ${runId.slice(0, 8)}` }),
  ).toBeVisible();
  await expect(page).not.toHaveURL(/[?&]run=/);
  await expect(runsRegion(page).locator(`tr[data-run-id="${runId}"]`)).toHaveCount(0);
});

test('an operator retries a failed run: it runs its failed step again, with more attempts, and fails again', async ({
  page,
}) => {
  await openFlow(page, 'flaky-flow');
  const runView = await startRun(page, '{"failForGood": true}');
  await waitForStatus(runView, 'failed');
  const steps = runView.getByRole('list', { name: 'Steps' });
  const unreliable = steps.getByRole('listitem', { name: 'Step unreliable' });
  await expect(fact(unreliable, 'attempts')).toHaveText('3');
  const actions = runView.getByRole('group', { name: 'Run actions' });
  // There is nothing to cancel once a run has ended.
  await expect(actions.getByRole('button', { name: 'Cancel', exact: true })).toBeDisabled();

  await actions.getByRole('button', { name: 'Retry' }).click();
  await expect(
    page.getByRole('status').filter({ hasText: /Retrying run \w+: unreliable, store will run again/ }),
  ).toBeVisible();

  // The same run goes on: its timeline follows it past the first failure to the second.
  const events = runView.getByRole('list', { name: 'Events' });
  await expect(events.getByText('run.retried')).toBeVisible();
  await expect(events.getByText('run.failed', { exact: true })).toHaveCount(2, { timeout: 30_000 });
  await waitForStatus(runView, 'failed');
  await expect(fact(unreliable, 'attempts')).toHaveText('6');
  // A completed step keeps its output and does not run again.
  await expect(fact(steps.getByRole('listitem', { name: 'Step prepare' }), 'attempts')).toHaveText('1');
});

test('an operator replays a failed run with edited input; the new run completes, linked both ways', async ({
  page,
}) => {
  await openFlow(page, 'flaky-flow');
  const original = await startRun(page, '{"failForGood": true}');
  await waitForStatus(original, 'failed');
  const originalId = shownRunId(page);

  await original.getByRole('group', { name: 'Run actions' }).getByRole('button', { name: 'Replay…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Replay run' });
  await expect(dialog).toBeVisible();
  // The editor starts with the run's own input.
  await expect(dialog.getByLabel('Input')).toContainText(/failForGood.*true/);
  await typeInput(page, dialog, '{"failForGood": false}');
  await dialog.getByRole('button', { name: 'Replay run' }).click();
  await expect(dialog).toBeHidden();
  await expect(
    page.getByRole('status').filter({ hasText: `Replaying run ${originalId.slice(0, 8)} as run` }),
  ).toBeVisible();

  // The new run opens, completes with the edited input, and names the run it replays.
  await expect.poll(() => shownRunId(page)).not.toBe(originalId);
  const replayId = shownRunId(page);
  const replay = page.getByRole('region', { name: `Run ${replayId}` });
  await waitForStatus(replay, 'completed');
  await expect(replay.getByRole('figure', { name: 'Run input' })).toContainText('"failForGood": false');
  await expect(fact(replay, 'Trigger')).toContainText('replay');
  await fact(replay, 'Replay of')
    .getByRole('link', { name: `Run ${originalId.slice(0, 8)}` })
    .click();

  // The original lists its replay.
  const back = page.getByRole('region', { name: `Run ${originalId}` });
  await expect(back).toBeVisible();
  await expect(back.getByRole('list', { name: 'Replays' }).getByRole('link')).toHaveText(
    replayId.slice(0, 8),
  );
  await expect(runsRegion(page).locator(`tr[data-run-id="${replayId}"]`).getByText('replay')).toBeVisible();
});
