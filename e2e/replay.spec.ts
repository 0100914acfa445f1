import { readFileSync } from 'node:fs';
import { expect, saveScreen, test } from './support/fixtures.js';

test('scrub, step, play and jump through versions; state and change shown', async ({ signedIn: page, console: info }) => {
  await page.goto(`${info.baseUrl}/#/conversations`);
  await page.getByLabel('Sort').selectOption('messages');
  const list = page.getByRole('listbox', { name: 'Conversations' });
  const id = await list.locator('[role=option]').first().getAttribute('data-conversation-id');
  await page.goto(`${info.baseUrl}/#/replay/${id}/3`);

  const scrubber = page.getByRole('slider', { name: 'Version' });
  await expect(scrubber).toHaveValue('3');
  const changed = page.getByRole('status', { name: 'What changed' });
  await expect(changed).toContainText('v3');
  await expect(page.locator('.message.highlight')).toHaveCount(1);

  await page.getByRole('button', { name: 'Step forward' }).click();
  await expect(scrubber).toHaveValue('4');
  await expect(page).toHaveURL(new RegExp(`#/replay/${id}/4$`));
  await page.getByRole('button', { name: 'Step back' }).click();
  await expect(scrubber).toHaveValue('3');

  await page.getByLabel('Jump to version').fill('1');
  await page.getByLabel('Jump to version').press('Enter');
  await expect(changed).toContainText('conversation.started');

  await page.getByRole('listbox', { name: 'Events: jump to one' }).getByRole('option', { name: /^v5 / }).click();
  await expect(scrubber).toHaveValue('5');

  await page.getByLabel('Playback speed').selectOption('8');
  await page.getByRole('button', { name: 'Play' }).click();
  await expect.poll(async () => Number(await scrubber.inputValue())).toBeGreaterThan(6);
  await page.getByRole('button', { name: 'Pause' }).click();
  const stopped = await scrubber.inputValue();
  await expect(page.getByRole('button', { name: 'Play' })).toBeVisible();
  expect(Number(stopped)).toBeGreaterThan(6);

  // Keyboard on the scrubber.
  await scrubber.focus();
  await page.keyboard.press('ArrowLeft');
  await expect(scrubber).toHaveValue(String(Number(stopped) - 1));
  await saveScreen(page, 'replay');
});

test('export JSONL, and import into another environment with masking on by default', async ({ signedIn: page, console: info }) => {
  await page.goto(`${info.baseUrl}/#/conversations`);
  const list = page.getByRole('listbox', { name: 'Conversations' });
  const id = await list.locator('[role=option]').nth(3).getAttribute('data-conversation-id');
  await page.goto(`${info.baseUrl}/#/replay/${id}`);
  await expect(page.getByRole('slider', { name: 'Version' })).toBeVisible();

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export JSONL' }).click();
  const file = await download;
  const text = readFileSync(await file.path(), 'utf8');
  const lines = text.trim().split('\n').map((line) => JSON.parse(line) as { conversationId: string; type: string });
  expect(lines[0]?.type).toBe('conversation.started');
  expect(lines.every((l) => l.conversationId === id)).toBe(true);

  await page.getByLabel('Target environment').selectOption({ label: 'Hybrid staging (staging)' });
  await expect(page.getByLabel('Mask message content')).toBeChecked();
  await page.getByRole('button', { name: 'Import copy' }).click();
  await expect(page.getByRole('status').filter({ hasText: /Imported \d+ events \(masked\)/ })).toBeVisible();
  await saveScreen(page, 'replay-import');
});
