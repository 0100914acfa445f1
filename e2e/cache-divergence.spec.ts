import { Redis } from 'ioredis';
import { conversationKeys } from '../core/backends/redis/keys.js';
import { expect, saveScreen, test, useEnvironment } from './support/fixtures.js';

test('a message changed in Redis at the same head is called diverged, its rows marked and each field diffed', async ({ signedIn: page, console: info }) => {
  await useEnvironment(page, 'Hybrid staging');
  await page.goto(`${info.baseUrl}/#/conversations`);
  await page.getByRole('listbox', { name: 'Conversations' }).locator('[role=option]').nth(2).dblclick();
  await page.getByRole('tab', { name: /Cache vs log/ }).click();
  await page.getByRole('button', { name: 'Re-warm' }).click();
  const verdict = page.getByRole('status', { name: 'Cache verdict' });
  await expect(verdict).toContainText('consistent');

  const conversationId = decodeURIComponent(/#\/conversation\/([^/]+)/.exec(page.url())?.[1] ?? '');
  expect(conversationId).not.toBe('');
  const redis = new Redis(info.redisUrl);
  let version = 0;
  try {
    const list = conversationKeys(conversationId).list;
    const items = await redis.lrange(list, 0, -1);
    expect(items.length).toBeGreaterThan(1);
    const index = items.length - 2;
    const message = JSON.parse(items[index]!) as { version: number; content: string };
    version = message.version;
    await redis.lset(list, index, JSON.stringify({ ...message, content: `${message.content} (edited in Redis)` }));
  } finally {
    redis.disconnect();
  }

  await page.getByRole('button', { name: 'Re-inspect' }).click();
  await expect(verdict).toContainText('diverged');
  await expect(verdict).not.toContainText('stale');
  const diffs = page.getByRole('region', { name: 'Differences between cache and log' });
  await expect(diffs).toContainText('1 message differs');
  const field = diffs.getByLabel(`content at v${version}`);
  await expect(field.locator('.diff-old')).toContainText('(edited in Redis)');
  await expect(field.locator('.diff-new')).not.toContainText('(edited in Redis)');
  await expect(page.getByLabel('Cache entry (Redis)').getByLabel(`v${version} differs`)).toBeVisible();
  await expect(page.getByLabel('Log tail (source of truth)').getByLabel(`v${version} differs`)).toBeVisible();
  await saveScreen(page, 'conversation-cache-diverged');

  // Re-warming from the log repairs it.
  await page.getByRole('button', { name: 'Evict from cache' }).click();
  await expect(verdict).toContainText('missing');
  await page.getByRole('button', { name: 'Re-warm' }).click();
  await expect(verdict).toContainText('consistent');
});
