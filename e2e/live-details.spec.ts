import { expect, saveScreen, test, useEnvironment } from './support/fixtures.js';

test('embedded mode shows no Redis cards, legends or cache-script charts', async ({ signedIn: page, console: info }) => {
  await page.goto(`${info.baseUrl}/#/live`);
  await expect(page.getByText(/mode embedded/)).toBeVisible();
  await expect(page.getByRole('figure', { name: 'Latency p50 / p95 / p99' })).toBeVisible();
  await expect(page.getByRole('figure', { name: 'Cache script outcomes per second' })).toHaveCount(0);
  await expect(page.getByRole('figure', { name: 'Hit ratio per tier' })).toHaveCount(0);
  await expect(page.getByText('Reads served by cache')).toHaveCount(0);
  await expect(page.getByRole('heading', { name: /Redis server \(INFO\)/ })).toHaveCount(0);
  await expect(page.getByText(/embedded SQLite mode\): the cache tiers/)).toBeVisible();
  const legend = page.getByRole('figure', { name: 'Latency p50 / p95 / p99' }).locator('.u-legend');
  await expect(legend).toContainText('Log p99');
  await expect(legend).not.toContainText('Redis');
  await expect(page.getByRole('figure', { name: 'Latency p50 / p95 / p99' })).toContainText('last 30–60 s');
});

test('under traffic the tail has room and scrolls, and hovering a chart shows its values', async ({ signedIn: page, console: info }) => {
  await page.goto(`${info.baseUrl}/#/live`);
  await expect(page.getByText(/updated/)).toBeVisible();
  await page.getByLabel('Turns per second').fill('30');
  await page.getByLabel('Seconds').fill('15');
  await page.getByRole('button', { name: 'Start traffic' }).click();
  const tail = page.getByRole('list', { name: 'Event tail' });
  await expect.poll(async () => tail.locator('li').count(), { timeout: 20_000 }).toBeGreaterThan(40);
  await tail.scrollIntoViewIfNeeded();
  const box = await tail.boundingBox();
  expect(box?.height ?? 0).toBeGreaterThanOrEqual(200);
  const scrolls = await tail.evaluate((el) => {
    el.scrollTop = el.scrollHeight;
    return el.scrollHeight > el.clientHeight && el.scrollTop > 0;
  });
  expect(scrolls).toBe(true);
  await expect(tail.locator('li').last()).toBeInViewport();

  const ops = page.getByRole('figure', { name: 'Operations per second' });
  await expect(ops.getByLabel('Operations per second: no data')).toHaveCount(0, { timeout: 10_000 });
  await ops.scrollIntoViewIfNeeded();
  const plot = ops.locator('.u-over');
  const area = await plot.boundingBox();
  if (!area) throw new Error('no plot area');
  // The newest samples sit at the right edge of the window.
  await page.mouse.move(area.x + area.width - 4, area.y + area.height / 2);
  await expect(ops.locator('.u-legend .u-series').nth(1).locator('.u-value')).toHaveText(/\d\/s$/);
  await saveScreen(page, 'live-hover');
  await page.getByRole('button', { name: 'Stop traffic' }).click();
  await expect(page.getByRole('button', { name: 'Start traffic' })).toBeVisible();
  await expect(page.getByText(/failed turns/)).toBeVisible();
});

test('live at 1024x700 on a hybrid environment', async ({ signedIn: page, console: info }) => {
  await page.setViewportSize({ width: 1024, height: 700 });
  await useEnvironment(page, 'Hybrid staging');
  await page.goto(`${info.baseUrl}/#/live`);
  await expect(page.getByRole('figure', { name: 'Hit ratio per tier' })).toBeVisible();
  await expect(page.getByRole('figure', { name: 'Hit ratio per tier' })).toContainText('share of all reads');
  await saveScreen(page, 'live-1024');
});
