import { expect, test, useEnvironment } from './support/fixtures.js';

test('dialogs keep focus inside, Escape closes them after any number of Tabs, Enter renames', async ({ signedIn: page, console: info }) => {
  await useEnvironment(page, 'Hybrid staging');
  await page.goto(`${info.baseUrl}/#/conversations`);
  await page.getByRole('listbox', { name: 'Conversations' }).locator('[role=option]').nth(4).dblclick();
  const rename = page.getByRole('button', { name: 'Rename', exact: true });
  await expect(rename).toBeEnabled();
  await rename.click();
  const dialog = page.getByRole('dialog', { name: 'Rename conversation' });
  await expect(dialog.getByLabel('New title')).toBeFocused();
  for (let i = 0; i < 7; i += 1) {
    await page.keyboard.press('Tab');
    expect(await dialog.evaluate((el) => el.contains(document.activeElement))).toBe(true);
  }
  await page.keyboard.press('Shift+Tab');
  expect(await dialog.evaluate((el) => el.contains(document.activeElement))).toBe(true);
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(rename).toBeFocused();

  await rename.click();
  const title = `Enter renames ${Date.now()}`;
  await dialog.getByLabel('New title').fill(title);
  await dialog.getByLabel('New title').press('Enter');
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
});

test('the first Tab offers a skip link that lands on the conversation list', async ({ signedIn: page, console: info }) => {
  await page.goto(`${info.baseUrl}/#/conversations`);
  const list = page.getByRole('listbox', { name: 'Conversations' });
  await expect(list.locator('[role=option]').first()).toBeVisible();
  await page.locator('body').focus();
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to main content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(list).toBeFocused();
  await expect(page).toHaveURL(/#\/conversations$/);
  await page.keyboard.press('ArrowDown');
  await expect(list.locator('[role=option]').nth(1)).toHaveAttribute('aria-selected', 'true');
});
