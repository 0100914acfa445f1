import { LONG_CONVERSATION } from './support/seeded.js';
import { expect, saveScreen, test, useEnvironment } from './support/fixtures.js';

test('a 1,200-message conversation opens at the newest message, with find, go to version and jumps', async ({ signedIn: page, console: info }) => {
  await useEnvironment(page, 'Hybrid staging');
  const opened = Date.now();
  await page.goto(`${info.baseUrl}/#/conversation/${LONG_CONVERSATION}/transcript`);
  const transcript = page.locator('.transcript');
  await expect(transcript.locator('article').last()).toContainText('Answer 1200');
  console.log(`1,200-message transcript shown after ${Date.now() - opened} ms`);
  const newest = transcript.locator('article').last();
  await expect(newest).toContainText('Answer 1200');
  await expect(newest).toBeInViewport();
  await expect(transcript.locator('article').first()).not.toBeInViewport();

  // Markdown: bold, lists and a monospace code block; no raw asterisks or fences.
  const answer = page.getByRole('article', { name: /^assistant message/ }).last();
  await expect(answer.locator('pre.md-code code')).toHaveText("const entry = await store.tail('c1200');");
  const font = await answer.locator('pre.md-code').evaluate((el) => getComputedStyle(el).fontFamily);
  expect(font).toMatch(/mono|Menlo|Consolas/i);
  await expect(answer.locator('li')).toHaveCount(2);
  await expect(answer).not.toContainText('```');
  await expect(transcript.locator('article').nth(-2).locator('strong')).toHaveText('entry 1199');
  await saveScreen(page, 'conversation-long-latest');

  // Find: questions are the odd messages, so "Question 7" matches 7, 71–79 and 701–799 (odd): 56.
  const find = page.getByLabel('Find in conversation');
  await find.fill('question 7');
  await expect(page.locator('.find-count')).toHaveText('0 of 56');
  await find.press('Enter');
  await expect(page.locator('.find-count')).toHaveText('1 of 56');
  const hit = transcript.locator('article.highlight');
  await expect(hit).toContainText('Question 7:');
  await expect(hit).toBeInViewport();
  await page.getByRole('button', { name: 'Next match' }).click();
  await expect(hit).toContainText('Question 71:');
  await expect(hit).toBeInViewport();

  // Go to version: the conversation has no rename, so message n is at version n + 1.
  await page.getByLabel('Go to version').fill('501');
  await page.getByLabel('Go to version').press('Enter');
  await expect(hit).toContainText('Answer 500,');
  await expect(hit).toBeInViewport();
  await saveScreen(page, 'conversation-long-goto');

  await page.getByRole('button', { name: 'Oldest' }).click();
  await expect(transcript.locator('article').first()).toBeInViewport();
  await page.getByRole('button', { name: 'Jump to latest' }).click();
  await expect(newest).toBeInViewport();
});

test('raw events are one collapsible row each, filtered by type', async ({ signedIn: page, console: info }) => {
  await useEnvironment(page, 'Hybrid staging');
  await page.goto(`${info.baseUrl}/#/conversation/${LONG_CONVERSATION}/events`);
  const rows = page.getByLabel(/^Events 1–/).locator('li');
  await expect(rows).toHaveCount(500);
  await page.getByLabel('Filter events by type').selectOption('conversation.started');
  await expect(rows).toHaveCount(1);
  await expect(rows.first().locator('pre')).toHaveCount(0);
  await rows.first().locator('summary').click();
  await expect(rows.first().locator('pre')).toContainText('"type": "conversation.started"');
  await page.getByLabel('Filter events by type').selectOption('message.appended');
  await expect(rows).toHaveCount(499);
  await saveScreen(page, 'conversation-events-rows');
});

test('switching environment with a conversation open disables its actions and says why', async ({ signedIn: page, console: info }) => {
  await useEnvironment(page, 'Hybrid staging');
  await page.goto(`${info.baseUrl}/#/conversation/${LONG_CONVERSATION}/transcript`);
  await expect(page.getByRole('button', { name: 'Rename', exact: true })).toBeEnabled();
  await useEnvironment(page, 'Local demo');
  await expect(page.getByRole('alert').filter({ hasText: 'Cannot open this conversation in Local demo' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Rename', exact: true })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Delete', exact: true })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Evict from cache' })).toBeDisabled();
  await expect(page.getByText(/Actions disabled: This conversation could not be opened in Local demo/)).toBeVisible();
  await saveScreen(page, 'conversation-other-environment');
});
