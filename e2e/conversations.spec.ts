import type { Route } from '@playwright/test';
import { expect, saveScreen, test } from './support/fixtures.js';

test('browse, search, filter and open conversations with the keyboard', async ({ signedIn: page, console: info }) => {
  await page.goto(`${info.baseUrl}/#/conversations`);
  const list = page.getByRole('listbox', { name: 'Conversations' });
  await expect(list.locator('[role=option]').first()).toBeVisible();
  await saveScreen(page, 'conversations');

  await page.getByLabel('Search title and content').fill('refund');
  await expect(list.locator('[role=option]').first()).toContainText(/refund/i);
  await page.getByLabel('User', { exact: true }).fill('no-such-user');
  await expect(page.getByText('No conversation matches these filters')).toBeVisible();
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(list.locator('[role=option]').first()).toBeVisible();

  await page.getByLabel('Sort').selectOption('messages');
  const first = list.locator('[role=option]').first();
  const second = list.locator('[role=option]').nth(1);
  const count = async (row: typeof first) => Number((await row.locator('.num').first().textContent())?.replace(/,/g, ''));
  expect(await count(first)).toBeGreaterThanOrEqual(await count(second));

  await list.focus();
  await page.keyboard.press('ArrowDown');
  await expect(list.locator('[role=option]').nth(1)).toHaveAttribute('aria-selected', 'true');
  const id = await list.locator('[role=option]').nth(1).getAttribute('data-conversation-id');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`#/conversation/${id}/transcript`));
});

test('100,000 conversations page in by cursor and stay virtualised', async ({ signedIn: page, console: info }) => {
  // 200 round trips through Playwright's router on a shared 2-core machine.
  test.setTimeout(150_000);
  const TOTAL = 100_000;
  const PAGE = 500;
  await page.route('**/api/conversations.list', async (route: Route) => {
    const input = route.request().postDataJSON() as { cursor?: string; limit?: number };
    const start = input.cursor ? Number(input.cursor) : 0;
    const size = Math.min(input.limit ?? PAGE, TOTAL - start);
    const at = Date.parse('2025-06-01T00:00:00Z');
    const items = Array.from({ length: size }, (_, i) => {
      const n = start + i;
      const time = new Date(at - n * 1000).toISOString();
      return {
        conversationId: `bulk-${String(n).padStart(6, '0')}`,
        userId: `user-${n % 97}`,
        title: `Bulk conversation ${n}`,
        status: 'active',
        version: 3,
        messageCount: 2,
        createdAt: time,
        lastMessageAt: time,
        preview: `synthetic preview ${n}`,
      };
    });
    const next = start + size;
    await route.fulfill({
      json: { ok: true, data: { items, masked: false, scanned: size, ...(next < TOTAL ? { nextCursor: String(next) } : {}) } },
    });
  });
  await page.goto(`${info.baseUrl}/#/conversations`);
  // The list loaded before the route was in place: load the page again through it.
  await page.reload();
  const list = page.getByRole('listbox', { name: 'Conversations' });
  await expect(list.locator('[role=option]').first()).toContainText('Bulk conversation 0');

  // Keep the list scrolled to its bottom, one frame at a time, until every page has arrived.
  const loaded = await list.evaluate(async (el, total) => {
    for (let frame = 0; frame < 50_000; frame += 1) {
      if (Number(el.getAttribute('data-row-count')) >= total) break;
      el.scrollTop = el.scrollHeight;
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
    return Number(el.getAttribute('data-row-count'));
  }, TOTAL);
  expect(loaded).toBe(TOTAL);
  await expect(list).toHaveAttribute('data-row-count', String(TOTAL));
  await expect(page.getByText('100,000 loaded')).toBeVisible();
  // Only what is on screen is in the DOM.
  expect(await list.locator('[role=option]').count()).toBeLessThan(80);

  await list.focus();
  await page.keyboard.press('End');
  await expect(list.locator('[role=option][aria-selected=true]')).toContainText('Bulk conversation 99999');
  await page.keyboard.press('Home');
  await expect(list.locator('[role=option][aria-selected=true]')).toContainText('Bulk conversation 0');
  await saveScreen(page, 'conversations-100k');
});
