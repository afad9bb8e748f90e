import { expect, test } from '@playwright/test';

test('the flows page lists example-flow', async ({ page }) => {
  await page.goto('/flows');
  await expect(page.getByText('example-flow', { exact: false }).first()).toBeVisible();
});
