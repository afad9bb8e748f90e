import { createCronSchedule, expect, openFlow, scheduleItem, schedulesRegion, test } from './fixtures.ts';

test('the flows page lists example-flow', async ({ page }) => {
  await page.goto('/flows');
  const picker = page.getByRole('combobox', { name: 'Flow' });
  await expect(picker).toBeVisible();
  await expect(picker.getByRole('option', { name: /^example-flow/ })).toHaveCount(1);
  // The option carries the flow's description too.
  await expect(picker.getByRole('option', { name: /^example-flow — .+/ })).toHaveCount(1);
  // With no flow in the URL, the first flow is selected and the URL says which.
  await expect(page).toHaveURL(/[?&]flow=[a-z0-9_-]+/);
  await expect(page.getByRole('region', { name: 'Runs' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Schedules' })).toHaveAttribute('aria-expanded', 'true');
});

test('the Schedules section folds away and opens again', async ({ page }) => {
  await openFlow(page, 'example-flow');
  const toggle = page.getByRole('button', { name: 'Schedules' });
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await expect(schedulesRegion(page).getByRole('list')).toHaveCount(0);
  await toggle.press('Enter');
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
});

test("switching flows shows the other flow's schedules", async ({ page, unique }) => {
  const exampleSchedule = unique('example nightly');
  const cleanupSchedule = unique('cleanup weekly');

  await openFlow(page, 'example-flow');
  await createCronSchedule(page, { preset: 'Daily at 2 AM', description: exampleSchedule });

  await page.getByRole('combobox', { name: 'Flow' }).selectOption('cleanup-flow');
  await expect(page).toHaveURL(/flow=cleanup-flow/);
  await expect(scheduleItem(page, exampleSchedule)).toHaveCount(0);
  await createCronSchedule(page, { preset: 'Weekly on Monday at 9 AM', description: cleanupSchedule });

  await page.getByRole('combobox', { name: 'Flow' }).selectOption('example-flow');
  await expect(scheduleItem(page, exampleSchedule)).toBeVisible();
  await expect(scheduleItem(page, cleanupSchedule)).toHaveCount(0);

  await page.getByRole('combobox', { name: 'Flow' }).selectOption('cleanup-flow');
  await expect(scheduleItem(page, cleanupSchedule)).toBeVisible();
  await expect(scheduleItem(page, exampleSchedule)).toHaveCount(0);
});
