import { createServer } from 'node:net';
import { expect, saveScreen, test, useEnvironment } from './support/fixtures.js';
import type { HarnessInfo } from './support/harness.js';

async function api<T>(info: HarnessInfo, method: string, body: unknown): Promise<T> {
  const response = await fetch(`${info.baseUrl}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${info.token}` },
    body: JSON.stringify(body),
  });
  const envelope = (await response.json()) as { ok: boolean; data: T; error?: { message: string } };
  if (!envelope.ok) throw new Error(`${method}: ${envelope.error?.message ?? response.status}`);
  return envelope.data;
}

/** A loopback port nothing listens on (bound, then released). */
function deadPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

test('save a masked offline copy, open it when the source is unreachable, and replay from it', async ({ signedIn: page, console: info }) => {
  // A production environment of its own (the spec makes it unreachable later), on the harness's servers.
  const source = await api<{ id: string }>(info, 'environments.create', {
    name: 'Flaky replica',
    kind: 'production',
    connection: { postgres: { url: info.databaseUrl }, redis: { url: info.redisUrl } },
  });
  try {
    await page.goto(`${info.baseUrl}/#/conversations`);
    // The page loaded its environments before this one existed.
    await page.reload();
    await useEnvironment(page, 'Flaky replica');
    await expect(page.getByRole('listbox', { name: 'Conversations' })).toBeVisible();

    await page.getByRole('button', { name: 'Save offline copy' }).click();
    const dialog = page.getByRole('dialog', { name: 'Save offline copy' });
    await expect(dialog.getByLabel('Mask message content in the copy')).toBeChecked();
    await dialog.getByLabel('At most (conversations)').fill('12');
    await saveScreen(page, 'offline-copy-dialog');
    await dialog.getByRole('button', { name: 'Save copy' }).click();
    const saved = page.getByRole('dialog', { name: 'Offline copy saved' });
    await expect(saved.getByRole('status')).toContainText(/Saved 12 conversations \(\d+ events, masked\)/);
    await saveScreen(page, 'offline-copy-saved');
    await saved.getByRole('button', { name: 'Close' }).click();

    // The source goes away: its PostgreSQL and Redis now point at a port nothing listens on.
    const port = await deadPort();
    await api(info, 'environments.update', {
      environmentId: source.id,
      connection: { postgres: { url: `postgres://scrollback@127.0.0.1:${port}/scrollback` }, redis: { url: `redis://127.0.0.1:${port}` } },
    });
    await page.reload();
    await expect(page.getByTestId('env-name')).toHaveText('Flaky replica');
    const offer = page.getByTestId('offline-offer-banner');
    await expect(offer).toContainText('Flaky replica is unreachable');
    await expect(offer).toContainText(/open the offline copy saved (just now|\d+ min ago) \(masked\)/);
    await expect(page.getByRole('alert').filter({ hasText: 'Cannot reach Flaky replica' })).toBeVisible();
    await saveScreen(page, 'offline-source-unreachable');

    await offer.getByRole('button').click();
    await expect(page.getByTestId('env-name')).toHaveText(/^Offline copy of Flaky replica · /);
    const banner = page.getByTestId('offline-copy-banner');
    await expect(banner).toContainText(/Offline copy of Flaky replica, saved (just now|\d+ min ago), masked/);
    const rows = page.getByRole('listbox', { name: 'Conversations' }).locator('[role=option]');
    await expect(rows).toHaveCount(12);
    await saveScreen(page, 'offline-copy-conversations');

    const id = await rows.first().getAttribute('data-conversation-id');
    await page.goto(`${info.baseUrl}/#/replay/${id}/2`);
    const scrubber = page.getByRole('slider', { name: 'Version' });
    await expect(scrubber).toHaveValue('2');
    // Masked on the way in: the copy's transcript shows placeholders only.
    await expect(page.locator('.message').first()).toBeVisible();
    await expect(page.locator('main')).toContainText('[masked ·');
    await saveScreen(page, 'offline-copy-replay');
    await page.getByRole('button', { name: 'Step back' }).click();
    await expect(scrubber).toHaveValue('1');
    await expect(page.getByRole('status', { name: 'What changed' })).toContainText('conversation.started');
    await expect(banner).toBeVisible();
  } finally {
    const copies = await api<Array<{ id: string }>>(info, 'offline.list', { environmentId: source.id });
    for (const copy of copies) await api(info, 'environments.remove', { environmentId: copy.id });
    await api(info, 'environments.remove', { environmentId: source.id });
  }
});
