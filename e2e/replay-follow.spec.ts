import { expect, saveScreen, test } from './support/fixtures.js';

async function longestConversation(page: import('@playwright/test').Page, baseUrl: string): Promise<string> {
  await page.goto(`${baseUrl}/#/conversations`);
  await page.getByLabel('Sort').selectOption('messages');
  const id = await page.getByRole('listbox', { name: 'Conversations' }).locator('[role=option]').first().getAttribute('data-conversation-id');
  if (!id) throw new Error('no conversation');
  return id;
}

test('each replay step scrolls the changed message into view; Jump to empties once used', async ({ signedIn: page, console: info }) => {
  const id = await longestConversation(page, info.baseUrl);
  await page.goto(`${info.baseUrl}/#/replay/${id}/60`);
  const scrubber = page.getByRole('slider', { name: 'Version' });
  await expect(scrubber).toHaveValue('60');
  const highlighted = page.locator('.replay-state .message.highlight');
  await expect(highlighted).toBeInViewport();
  await page.getByRole('button', { name: 'Step forward' }).click();
  await expect(scrubber).toHaveValue('61');
  await expect(highlighted).toHaveAttribute('data-version', '61');
  await expect(highlighted).toBeInViewport();

  await page.getByLabel('Playback speed').selectOption('4');
  await page.getByRole('button', { name: 'Play' }).click();
  await expect.poll(async () => Number(await scrubber.inputValue())).toBeGreaterThan(64);
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(highlighted).toHaveAttribute('data-version', await scrubber.inputValue());
  await expect(highlighted).toBeInViewport();

  const jump = page.getByLabel('Jump to version');
  await jump.fill('20');
  await jump.press('Enter');
  await expect(scrubber).toHaveValue('20');
  await expect(jump).toHaveValue('');
  await expect(jump).toHaveAttribute('placeholder', '20');
  await expect(highlighted).toBeInViewport();
});

test('replay at 1024x700 keeps the state column wide and the change banner whole; the sidebar collapses', async ({ signedIn: page, console: info }) => {
  await page.setViewportSize({ width: 1024, height: 700 });
  const id = await longestConversation(page, info.baseUrl);
  await page.goto(`${info.baseUrl}/#/replay/${id}/40`);
  const state = page.locator('.replay-state');
  await expect(page.getByRole('status', { name: 'What changed' })).toBeVisible();
  const box = await state.boundingBox();
  expect(box?.width ?? 0).toBeGreaterThan(500);
  const banner = await page.getByRole('status', { name: 'What changed' }).boundingBox();
  expect((banner?.x ?? 0) + (banner?.width ?? 0)).toBeLessThanOrEqual((box?.x ?? 0) + (box?.width ?? 0));
  const nav = await page.getByRole('navigation', { name: 'Main' }).boundingBox();
  expect(nav?.width ?? 1000).toBeLessThan(80);
  await expect(page.getByRole('link', { name: 'Live' })).toBeVisible();
  await saveScreen(page, 'replay-1024');
});
