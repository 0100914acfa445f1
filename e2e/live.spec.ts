import { expect, saveScreen, test, useEnvironment } from './support/fixtures.js';

test('live tail and charts move under simulated traffic', async ({ signedIn: page, console: info }) => {
  await page.goto(`${info.baseUrl}/#/live`);
  await expect(page.getByText(/updated/)).toBeVisible();
  await page.getByLabel('Turns per second').fill('20');
  await page.getByLabel('Seconds').fill('20');
  await page.getByRole('button', { name: 'Start traffic' }).click();
  const tail = page.getByRole('list', { name: 'Event tail' });
  await expect(tail.locator('li').first()).toBeVisible({ timeout: 15_000 });
  await expect.poll(async () => tail.locator('li').count()).toBeGreaterThan(10);
  for (const title of ['Latency p50 / p95 / p99', 'Operations per second', 'Errors per second']) {
    await expect(page.getByRole('figure', { name: title })).toBeVisible();
  }
  await expect(page.getByRole('figure', { name: 'Operations per second' }).locator('canvas')).toHaveCount(1);
  await saveScreen(page, 'live');
  await page.getByRole('button', { name: 'Pause tail' }).click();
  await expect(page.getByRole('button', { name: 'Resume tail' })).toHaveAttribute('aria-pressed', 'true');
  await page.getByRole('button', { name: 'Stop traffic' }).click();
  await expect(page.getByRole('button', { name: 'Start traffic' })).toBeVisible();
});

test('hybrid environments show the Redis server view apart from store metrics', async ({ signedIn: page, console: info }) => {
  await useEnvironment(page, 'Hybrid staging');
  await page.goto(`${info.baseUrl}/#/live`);
  await expect(page.getByRole('heading', { name: /Redis server \(INFO\)/ })).toContainText('not the store’s hit ratio');
  await expect(page.getByRole('figure', { name: 'Server memory' })).toBeVisible();
  await expect(page.getByRole('figure', { name: 'Hit ratio per tier' })).toBeVisible();
  await expect(page.getByRole('figure', { name: 'Cache script outcomes per second' })).toBeVisible();
  await expect(page.getByText(/Simulated traffic only runs against local environments/)).toBeVisible();
  await saveScreen(page, 'live-hybrid');
});
