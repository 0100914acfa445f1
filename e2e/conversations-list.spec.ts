import { expect, saveScreen, test } from './support/fixtures.js';

test('Back returns to the same row and scroll position; End loads the rest', async ({ signedIn: page, console: info }) => {
  await page.goto(`${info.baseUrl}/#/conversations`);
  const list = page.getByRole('listbox', { name: 'Conversations' });
  await expect(list.locator('[role=option]').first()).toBeVisible();
  await expect(page.getByText(/^100 loaded, more…/)).toBeVisible();
  await list.focus();
  for (let i = 0; i < 3; i += 1) await page.keyboard.press('PageDown');
  const selected = list.locator('[role=option][aria-selected=true]');
  const id = await selected.getAttribute('data-conversation-id');
  const scrolled = await list.evaluate((el) => el.scrollTop);
  expect(scrolled).toBeGreaterThan(0);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#\/conversation\//);
  await page.goBack();
  await expect(selected).toHaveAttribute('data-conversation-id', id ?? '');
  await expect.poll(() => list.evaluate((el) => el.scrollTop)).toBe(scrolled);
  await expect(selected).toBeInViewport();

  await list.focus();
  await page.keyboard.press('End');
  await expect(page.getByText(/loaded · all/)).toBeVisible();
  const total = Number(await list.getAttribute('data-row-count'));
  expect(total).toBeGreaterThan(100);
  await expect(selected).toHaveAttribute('id', `conv-row-${total - 1}`);
  await expect(selected).toBeInViewport();
});

test('the list says what it sorts, flags an inverted date range and a search with no words, and highlights matches', async ({ signedIn: page, console: info }) => {
  await page.goto(`${info.baseUrl}/#/conversations`);
  const list = page.getByRole('listbox', { name: 'Conversations' });
  await expect(list.locator('[role=option]').first()).toBeVisible();
  await page.getByLabel('Sort').selectOption('messages');
  await expect(page.getByRole('note')).toContainText('sorts the 100 loaded rows only');
  await page.getByLabel('Sort').selectOption('activity');

  await page.getByLabel('Active from').fill('2030-01-02T00:00');
  await page.getByLabel('Active until').fill('2030-01-01T00:00');
  await expect(page.getByRole('alert').filter({ hasText: '“Active from” is after “Active until”' })).toBeVisible();
  await saveScreen(page, 'conversations-inverted-range');
  await page.getByRole('button', { name: 'Clear filters' }).click();

  const search = page.getByLabel('Search title and content');
  await search.fill('*');
  await expect(page.getByRole('alert').filter({ hasText: 'has no searchable words' })).toBeVisible();
  await search.fill('c++');
  await expect(page.getByText(/Searching for words starting with “c”/)).toContainText('one-letter word');
  await search.fill('refund');
  await expect(page.getByText(/Searching for words starting with “refund”/)).toBeVisible();
  await expect(list.locator('mark').first()).toHaveText(/^refund/i);
  const titled = list.locator('.conv-title a[title]').first();
  await expect(titled).toHaveAttribute('title', /.+/);
  await saveScreen(page, 'conversations-search-highlight');
});
