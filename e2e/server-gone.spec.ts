import type { WebSocketRoute } from '@playwright/test';
import { expect, saveScreen, test } from './support/fixtures.js';

test('a stopped console server gets a clear banner; a restarted one says the token changed and how to get back', async ({ page, console: info }) => {
  let down = false;
  const sockets: WebSocketRoute[] = [];
  await page.routeWebSocket('**/api/ws', (ws) => {
    if (down) {
      void ws.close();
      return;
    }
    ws.connectToServer();
    sockets.push(ws);
  });
  await page.goto(`${info.baseUrl}/?token=${info.token}`);
  const consoleConn = page.getByRole('status', { name: /^Console connection:/ });
  await expect(consoleConn).toHaveAccessibleName('Console connection: open');
  await expect(consoleConn).toContainText('console connected');
  await expect(page.getByRole('status', { name: /^Environment health:/ })).toHaveAccessibleName(/Environment health: (up|degraded)/);

  // The server goes away: the socket drops and calls are refused.
  down = true;
  await page.route('**/api/security.status', (route) => route.abort('connectionrefused'));
  for (const ws of sockets) await ws.close();
  const banner = page.getByRole('alert').filter({ hasText: 'The console server stopped' });
  await expect(banner).toBeVisible();
  await expect(banner).toContainText('npm start');
  await expect(page.getByRole('status', { name: /^Environment health:/ })).toHaveAccessibleName('Environment health: unknown');
  await saveScreen(page, 'server-stopped');

  // It comes back with a new token: this page's cookie is refused.
  await page.unroute('**/api/security.status');
  await page.route('**/api/security.status', (route) =>
    route.fulfill({ status: 401, json: { ok: false, error: { code: 'UNAUTHORIZED', message: 'missing or wrong token' } } }),
  );
  const restarted = page.getByRole('alert').filter({ hasText: 'its token changed' });
  await expect(restarted).toBeVisible();
  await expect(restarted).toContainText('open the URL it prints');
  await saveScreen(page, 'server-restarted');
});
