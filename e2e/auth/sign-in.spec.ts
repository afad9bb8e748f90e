import { expect, test } from '@playwright/test';
import { flowActions } from '../fixtures.ts';
import { signIn } from './fixtures.ts';

test('the console asks for a token, refuses a wrong one, and shows who is signed in until sign-out', async ({
  page,
}) => {
  await page.goto('/flows');
  await expect(page.getByRole('heading', { name: 'Sign in to Flowdeck' })).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'Flow' })).toHaveCount(0);

  await page.getByLabel('API token').fill('not-a-real-token-at-all');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'That token is not valid' })).toBeVisible();

  await signIn(page, 'operator');
  const user = page.getByRole('region', { name: 'Signed in' });
  await expect(user).toContainText('scopes: read, operate');
  await expect(page.getByRole('combobox', { name: 'Flow' })).toHaveValue('example-flow');
  await expect(flowActions(page).getByRole('button', { name: 'Start', exact: true })).toBeEnabled();
  // An operator is not an admin: no audit trail in the menu.
  await expect(
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }),
  ).toHaveCount(0);

  // The token lasts for the tab's session: a reload stays signed in.
  await page.reload();
  await expect(user).toContainText('Signed in as operator');

  await user.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in to Flowdeck' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Sign in to Flowdeck' })).toBeVisible();
});

test('a token the API no longer accepts sends the person back to sign in, saying why', async ({ page }) => {
  await signIn(page, 'operator');
  // As if the token were removed from FLOWDECK_TOKENS: the API answers 401 from now on.
  await page.evaluate(() => window.sessionStorage.setItem('flowdeck.token', 'revoked-token-0123456789'));
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Sign in to Flowdeck' })).toBeVisible();
  await expect(page.getByText('Your token is no longer accepted. Sign in again.')).toBeVisible();
  await signIn(page, 'reader');
});

test('a signed-in operator starts a run and follows its live events over the authorised stream', async ({
  page,
}) => {
  await signIn(page, 'operator');
  await flowActions(page).getByRole('button', { name: 'Start', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Start flow' });
  await dialog.getByRole('button', { name: 'Start Flow' }).click();
  await expect(dialog).toBeHidden();
  const runView = page.getByRole('region', { name: /^Run / });
  const events = runView.getByRole('list', { name: 'Events' });
  await expect(events.getByText('run.started')).toBeVisible();
  await expect(events.getByText('run.completed')).toBeVisible({ timeout: 30_000 });
});
