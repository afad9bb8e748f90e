import { expect, flowActions, openFlow, test } from './fixtures.ts';

test('dialogs keep focus inside, close on Esc and give focus back', async ({ page }) => {
  await openFlow(page, 'example-flow');
  const scheduleButton = flowActions(page).getByRole('button', { name: 'Schedule', exact: true });
  await scheduleButton.focus();
  await page.keyboard.press('Enter');

  const dialog = page.getByRole('dialog', { name: 'Schedule flow' });
  await expect(dialog).toBeVisible();
  // Focus starts on the selected tab; arrow keys move between tabs.
  await expect(dialog.getByRole('tab', { name: 'Cron' })).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(dialog.getByRole('tab', { name: 'Interval' })).toHaveAttribute('aria-selected', 'true');
  await expect(dialog.getByLabel('Every')).toBeVisible();
  await page.keyboard.press('ArrowLeft');
  await expect(dialog.getByRole('tab', { name: 'Cron' })).toHaveAttribute('aria-selected', 'true');

  // Tabbing through every control never leaves the dialog.
  for (let index = 0; index < 40; index++) {
    await page.keyboard.press('Tab');
    const inside = await dialog.evaluate((element) => element.contains(document.activeElement));
    expect(inside).toBe(true);
  }

  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(scheduleButton).toBeFocused();
});

test('a run can be started with the keyboard alone', async ({ page }) => {
  await openFlow(page, 'example-flow');
  await flowActions(page).getByRole('button', { name: 'Start', exact: true }).focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Start flow' });
  await expect(dialog.getByLabel('Input')).toBeVisible();
  // Tab walks from the editor to Cancel and Start Flow.
  await dialog.getByLabel('Input').click();
  await page.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: 'Start Flow' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('region', { name: /^Run / })).toBeVisible();
});
