import { expect, saveScreen, test } from './support/fixtures.js';

test('add, test, edit and remove environments; errors in words', async ({ signedIn: page, console: info }) => {
  await page.goto(`${info.baseUrl}/#/environments`);
  await expect(page.getByRole('list', { name: 'Environments' }).getByRole('listitem')).toHaveCount(3);
  await expect(page.getByRole('note').filter({ hasText: 'Secrets:' })).toBeVisible();
  await saveScreen(page, 'environments');

  // A PostgreSQL + Redis pair that works.
  await page.getByRole('button', { name: 'Add environment' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add environment' });
  await dialog.getByLabel('Name').fill('E2E pair');
  await dialog.getByLabel('Kind').selectOption('staging');
  await dialog.getByLabel('PostgreSQL URL').fill(info.databaseUrl);
  await dialog.getByLabel('TLS (sslmode)').selectOption('disable');
  await dialog.getByLabel('Redis URL').fill(info.redisUrl);
  await dialog.getByLabel('TLS (rediss://)').uncheck();
  await dialog.getByRole('button', { name: 'Test connection' }).click();
  await expect(dialog.getByText('Connected', { exact: true })).toBeVisible({ timeout: 20_000 });
  await saveScreen(page, 'environments-add');
  await dialog.getByRole('button', { name: 'Save environment' }).click();
  await expect(dialog).toBeHidden();
  const card = page.getByRole('listitem', { name: 'E2E pair' });
  await expect(card).toContainText('staging');

  // Production defaults to read-only.
  await page.getByRole('button', { name: 'Edit E2E pair' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit E2E pair' });
  await edit.getByLabel('Kind').selectOption('production');
  await expect(edit.getByLabel(/Read-only/)).toBeChecked();
  await edit.getByRole('button', { name: 'Save environment' }).click();
  await expect(card).toContainText('read-only');

  // Lifting read-only asks first; keeping protection changes nothing.
  await page.getByRole('button', { name: 'Edit E2E pair' }).click();
  const lift = page.getByRole('dialog', { name: 'Edit E2E pair' });
  await lift.getByLabel(/Read-only/).uncheck();
  await lift.getByRole('button', { name: 'Save environment' }).click();
  const ask = lift.getByRole('alert', { name: 'Confirm lowering protection' });
  await expect(ask).toContainText('read-only is lifted');
  await ask.getByRole('button', { name: 'Lower protection and save' }).click();
  await expect(lift).toBeHidden();
  await expect(card).toContainText('writable');

  // A refused connection is explained, not dumped.
  await page.getByRole('button', { name: 'Add environment' }).click();
  const broken = page.getByRole('dialog', { name: 'Add environment' });
  await broken.getByLabel('Name').fill('Nothing listens here');
  await broken.getByLabel('PostgreSQL URL').fill('postgres://app:hunter2@127.0.0.1:1/chat');
  await broken.getByLabel('Redis cache').uncheck();
  await broken.getByRole('button', { name: 'Test connection' }).click();
  const failure = broken.getByRole('alert').first();
  await expect(failure).toContainText(/refused/i, { timeout: 20_000 });
  await expect(failure).not.toContainText('hunter2');
  await expect(failure).not.toContainText(/at .*\.(ts|js):\d+/);
  await saveScreen(page, 'environments-refused');
  await broken.getByRole('button', { name: 'Cancel' }).click();

  // A new dialog starts clean (no earlier verdict), Test needs no name, and a verdict goes away
  // once the settings it was for are changed.
  await page.getByRole('button', { name: 'Add environment' }).click();
  const fresh = page.getByRole('dialog', { name: 'Add environment' });
  await expect(fresh.getByRole('alert')).toHaveCount(0);
  await fresh.getByLabel('PostgreSQL URL').fill('postgres://app@127.0.0.1:1/chat');
  await fresh.getByLabel('Redis cache').uncheck();
  await fresh.getByRole('button', { name: 'Test connection' }).click();
  await expect(fresh.getByRole('alert').first()).toContainText(/refused/i, { timeout: 20_000 });
  await fresh.getByLabel('PostgreSQL URL').fill('postgres://app@127.0.0.1:2/chat');
  await expect(fresh.getByRole('alert')).toHaveCount(0);
  await fresh.getByRole('button', { name: 'Cancel' }).click();

  // Removing a production profile asks for its name.
  await page.getByRole('button', { name: 'Remove E2E pair' }).click();
  const confirm = page.getByRole('dialog', { name: 'Remove E2E pair?' });
  await expect(confirm.getByRole('button', { name: 'Remove environment' })).toBeDisabled();
  await confirm.getByLabel('Environment name').fill('E2E pair');
  await confirm.getByRole('button', { name: 'Remove environment' }).click();
  await expect(page.getByRole('listitem', { name: 'E2E pair' })).toHaveCount(0);
});
