import { LONG_CONVERSATION } from './support/seeded.js';
import { expect, saveScreen, test, useEnvironment } from './support/fixtures.js';

test('every screen at 1024x700: the sidebar collapses and nothing is squeezed', async ({ signedIn: page, console: info }) => {
  await page.setViewportSize({ width: 1024, height: 700 });
  const nav = page.getByRole('navigation', { name: 'Main' });
  await page.goto(`${info.baseUrl}/#/conversations`);
  await expect(page.getByRole('listbox', { name: 'Conversations' }).locator('[role=option]').first()).toBeVisible();
  expect((await nav.boundingBox())?.width ?? 1000).toBeLessThan(80);
  await saveScreen(page, '1024-conversations');

  await useEnvironment(page, 'Hybrid staging');
  await page.goto(`${info.baseUrl}/#/conversation/${LONG_CONVERSATION}/transcript`);
  await expect(page.locator('.transcript article').last()).toBeInViewport();
  await saveScreen(page, '1024-conversation');
  await page.getByRole('tab', { name: /Cache vs log/ }).click();
  await expect(page.getByRole('status', { name: 'Cache verdict' })).toBeVisible();
  await saveScreen(page, '1024-cache');

  await page.goto(`${info.baseUrl}/#/playground`);
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();
  await saveScreen(page, '1024-playground');

  await page.goto(`${info.baseUrl}/#/environments`);
  await saveScreen(page, '1024-environments');
});
