import { expect, saveScreen, test, useEnvironment } from './support/fixtures.js';

test('transcript, raw events and cache vs log on a hybrid store, with cache actions', async ({ signedIn: page, console: info }) => {
  await useEnvironment(page, 'Hybrid staging');
  await page.goto(`${info.baseUrl}/#/conversations`);
  const list = page.getByRole('listbox', { name: 'Conversations' });
  await page.getByLabel('Sort').selectOption('messages');
  await list.locator('[role=option]').first().dblclick();

  // Transcript: roles, metadata badges, tool calls.
  await expect(page.getByRole('article').first()).toBeVisible();
  await expect(page.getByRole('article', { name: /^user message/ }).first()).toBeVisible();
  await expect(page.getByRole('article', { name: /^assistant message/ }).first()).toBeVisible();
  await saveScreen(page, 'conversation-transcript');

  // Raw events as JSON.
  await page.getByRole('tab', { name: /Raw events/ }).click();
  const events = page.getByLabel(/^Events 1–/);
  await events.locator('summary').first().click();
  await expect(events).toContainText('"type": "conversation.started"');
  await saveScreen(page, 'conversation-events');

  // Cache vs log: warm, then a consistent verdict with a TTL; evict, then missing.
  await page.getByRole('tab', { name: /Cache vs log/ }).click();
  await page.getByRole('button', { name: 'Re-warm' }).click();
  const verdict = page.getByRole('status', { name: 'Cache verdict' });
  await expect(verdict).toContainText('consistent');
  await expect(verdict).toContainText(/TTL \d+/);
  await expect(page.getByLabel('Cache entry (Redis)')).toBeVisible();
  await expect(page.getByLabel('Log tail (source of truth)')).toBeVisible();
  await expect(page.getByLabel('Cache entry (Redis)').locator('li').first()).toBeVisible();
  await saveScreen(page, 'conversation-cache');
  await page.getByRole('button', { name: 'Evict from cache' }).click();
  await expect(verdict).toContainText('missing');

  // Rename appends an event and shows the new title.
  await page.getByRole('button', { name: 'Rename', exact: true }).click();
  const title = `Renamed by e2e ${Date.now()}`;
  await page.getByRole('dialog', { name: 'Rename conversation' }).getByLabel('New title').fill(title);
  await page.getByRole('dialog').getByRole('button', { name: 'Rename' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
});

test('redact a message and soft-delete a conversation on the local demo', async ({ signedIn: page, console: info }) => {
  const sent = await page.evaluate(async (environmentId) => {
    const response = await fetch('/api/playground.send', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ environmentId, content: 'my card number is 4111 1111 1111 1111', responder: { kind: 'scripted' } }),
    });
    return ((await response.json()) as { data: { conversationId: string } }).data.conversationId;
  }, info.environments.demo);
  await page.goto(`${info.baseUrl}/#/conversation/${sent}/transcript`);
  const userMessage = page.getByRole('article', { name: /^user message/ });
  await expect(userMessage).toContainText('4111');
  await userMessage.getByRole('button', { name: /^Redact message/ }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel(/Reason/).fill('PCI data');
  await dialog.getByRole('button', { name: 'Redact message' }).click();
  await expect(userMessage).toContainText('redacted');
  await expect(userMessage).not.toContainText('4111');

  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(page.locator('.conv-header').getByText('deleted', { exact: true })).toBeVisible();
  await expect(page.getByText(/Actions disabled: This conversation is deleted/)).toBeVisible();
});

test('production content is masked until revealed', async ({ signedIn: page, console: info }) => {
  await useEnvironment(page, 'Production replica');
  await expect(page.getByRole('banner', { name: 'Current environment' })).toContainText('production');
  await page.goto(`${info.baseUrl}/#/conversations`);
  await page.getByRole('listbox', { name: 'Conversations' }).locator('[role=option]').first().dblclick();
  await expect(page.getByText('content masked').first()).toBeVisible();
  const firstMessage = page.getByRole('article').first();
  await expect(firstMessage).toBeVisible();
  const masked = await firstMessage.locator('.message-content').textContent();
  await saveScreen(page, 'conversation-production-masked');
  await page.getByRole('button', { name: 'Reveal message content' }).click();
  await expect(page.getByRole('button', { name: 'Mask message content' })).toBeVisible();
  await expect(page.getByRole('article').first().locator('.message-content')).not.toHaveText(masked ?? '');
});
