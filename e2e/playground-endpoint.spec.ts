import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, saveScreen, test } from './support/fixtures.js';

test('an empty model gets a human message; a hung endpoint can be cancelled', async ({ signedIn: page, console: info }) => {
  // An OpenAI-compatible endpoint that accepts the request and never answers.
  const held: Array<import('node:http').ServerResponse> = [];
  const hung: Server = createServer((_req, res) => {
    held.push(res);
  });
  await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
  const port = (hung.address() as AddressInfo).port;
  try {
    await page.goto(`${info.baseUrl}/#/playground`);
    await page.getByRole('radio', { name: 'OpenAI-compatible endpoint' }).check();
    const model = page.getByLabel('Model');
    await expect(model).toHaveValue('');
    await expect(model).toHaveAttribute('placeholder', 'e.g. llama3.1');
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.fill('hello?');
    await box.press('Enter');
    const error = page.getByRole('alert').filter({ hasText: 'Enter a model name' });
    await expect(error).toBeVisible();
    await expect(page.getByText(/Too small|>=1 characters/)).toHaveCount(0);
    await saveScreen(page, 'playground-empty-model');

    await page.getByLabel('Base URL').fill(`http://127.0.0.1:${port}/v1`);
    await model.fill('stuck-model');
    await box.fill('hello?');
    await box.press('Enter');
    await expect(page.getByRole('status').filter({ hasText: 'Sending…' })).toBeVisible();
    await expect.poll(() => held.length).toBeGreaterThan(0);
    await saveScreen(page, 'playground-sending');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'Cancelled' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();
    await expect(box).toHaveValue('hello?');
  } finally {
    for (const res of held) res.destroy();
    await new Promise<void>((resolve) => hung.close(() => resolve()));
  }
});
