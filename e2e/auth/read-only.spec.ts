import { expect, test } from '@playwright/test';
import { flowActions, scheduleItem } from '../fixtures.ts';
import { asUser, signIn } from './fixtures.ts';

test('a read-only token sees flows, runs and schedules, and the buttons it may not use are disabled with the reason', async ({
  page,
  request,
}) => {
  const description = `read-only check ${Date.now().toString(36)}`;
  const operator = asUser(request, 'operator');
  const created = await operator.post('/api/_flows/example-flow/schedule', {
    cron: '0 4 * * *',
    metadata: { description },
  });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  try {
    await signIn(page, 'reader');
    await expect(page.getByRole('region', { name: 'Signed in' })).toContainText('scopes: read');

    const reason =
      /Your token 'reader' has the read scope; starting runs and changing schedules needs operate/;
    for (const name of ['Start', 'Schedule']) {
      const button = flowActions(page).getByRole('button', { name, exact: true });
      await expect(button).toBeDisabled();
      await expect(button).toHaveAttribute('title', reason);
    }
    await expect(page.getByText(/^Read-only:/)).toContainText('needs operate');

    const item = scheduleItem(page, description);
    await expect(item).toBeVisible();
    await expect(item).toContainText('At 04:00 AM');
    for (const name of ['Pause', 'Edit', 'Run now', 'Delete']) {
      const button = item.getByRole('button', { name, exact: true });
      await expect(button).toBeDisabled();
      await expect(button).toHaveAttribute('title', reason);
    }
    // Reading is allowed: the schedule's details open, with who created it.
    await item.getByTitle('Show details').click();
    const details = page.getByRole('dialog', { name: 'Schedule details' });
    await expect(details).toContainText('Created by');
    await expect(details).toContainText('operator');
  } finally {
    await operator.delete(`/api/_flows/example-flow/schedules/${id}`);
  }
});

test('an admin sees the audit trail: who changed a schedule, and what changed', async ({ page, request }) => {
  const description = `audited ${Date.now().toString(36)}`;
  const operator = asUser(request, 'operator');
  const created = await operator.post('/api/_flows/example-flow/schedule', {
    every: 3_600_000,
    metadata: { description },
  });
  const { id } = (await created.json()) as { id: string };
  try {
    expect(
      (await operator.post(`/api/_flows/example-flow/schedules/${id}/pause`, { reason: 'e2e' })).status(),
    ).toBe(200);
    await signIn(page, 'admin');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
    await expect(page).toHaveURL(/\/audit$/);
    const entries = page.getByRole('list', { name: 'Audit entries' });
    const paused = entries
      .getByRole('listitem')
      .filter({ hasText: 'schedule.pause' })
      .filter({ hasText: id });
    await expect(paused.first()).toContainText('operator');
    await expect(paused.first().getByRole('row', { name: /status/ })).toContainText('"paused"');

    await paused
      .first()
      .getByRole('link', { name: `schedule ${id}` })
      .click();
    await expect(page).toHaveURL(new RegExp(`/audit\\?flow=example-flow&schedule=${id}`));
    await expect(entries.getByRole('listitem')).toHaveCount(2);
    await expect(entries.getByRole('listitem').nth(1)).toContainText('schedule.create');
  } finally {
    await operator.delete(`/api/_flows/example-flow/schedules/${id}`);
  }
});
