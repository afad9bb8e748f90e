import { expect, type Page, test } from '@playwright/test';
import { flowActions, openFlow, typeInput } from './fixtures.ts';

/**
 * Watches a page for what the Content-Security-Policy blocks and for any request that leaves
 * the page's own origin.
 */
async function watch(page: Page) {
  const violations: string[] = [];
  const foreign: string[] = [];
  await page.exposeFunction('reportCspViolation', (text: string) => violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      (window as unknown as { reportCspViolation(text: string): void }).reportCspViolation(
        `${event.violatedDirective} ${event.blockedURI} at ${event.sourceFile}:${event.lineNumber}`,
      );
    });
  });
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  page.on('request', (request) => {
    const url = new URL(request.url());
    const own = new URL(page.url() === 'about:blank' ? request.url() : page.url());
    if (!['data:', 'blob:'].includes(url.protocol) && url.origin !== own.origin) foreign.push(request.url());
  });
  return { violations, foreign };
}

test('the console and its Monaco editor run under the Content-Security-Policy and load nothing from elsewhere', async ({
  page,
}) => {
  const seen = await watch(page);
  const response = await page.goto('/flows?flow=cleanup-flow');
  expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
  await openFlow(page, 'cleanup-flow');
  await flowActions(page).getByRole('button', { name: 'Start', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Start flow' });
  // Monaco's JSON worker checks the input against the flow's schema: the worker runs.
  await typeInput(page, dialog, '{"retentionDays": 0}');
  await expect(dialog.getByRole('button', { name: 'Start Flow' })).toBeDisabled();
  await typeInput(page, dialog, '{"retentionDays": 3}');
  await expect(dialog.getByRole('button', { name: 'Start Flow' })).toBeEnabled();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  expect(seen.violations).toEqual([]);
  expect(seen.foreign).toEqual([]);
});

test('the API reference renders from local files under the same policy', async ({ page }) => {
  const seen = await watch(page);
  await page.goto('/api/docs/');
  await expect(page.getByRole('heading', { name: /Flowdeck API/ })).toBeVisible();
  await expect(page.getByText('/api/_flows/{name}/schedules/{id}/pause')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Authorize' })).toBeVisible();
  expect(seen.violations).toEqual([]);
  expect(seen.foreign).toEqual([]);
});
