import { expect, saveScreen, test } from './support/fixtures.js';

test('chat with the scripted responder; each turn shows history source and timings', async ({ signedIn: page, console: info }) => {
  await page.goto(`${info.baseUrl}/#/playground`);
  await expect(page.getByRole('radio', { name: 'Scripted (local, offline)' })).toBeChecked();
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill('Hello, where is my order 1234?');
  await box.press('Enter');
  const timings = page.getByLabel('Turn timings');
  await expect(timings).toHaveCount(1);
  await expect(timings.first()).toContainText(/history from (L1|Redis|Log)/);
  await expect(timings.first()).toContainText(/total \d/);
  await expect(page.getByRole('article', { name: /^assistant message/ })).toHaveCount(1);

  await box.fill('And can I change the address?');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(timings).toHaveCount(2);
  await expect(page.getByRole('article', { name: /^user message/ })).toHaveCount(2);
  await saveScreen(page, 'playground');

  // The OpenAI-compatible responder is configurable (called by the server, never by the page).
  await page.getByRole('radio', { name: 'OpenAI-compatible endpoint' }).check();
  await expect(page.getByLabel('Base URL')).toHaveValue('http://127.0.0.1:11434/v1');
  await expect(page.getByLabel(/API key/)).toHaveAttribute('type', 'password');
});
