/** Shared fixtures: the harness info and a page already signed in with the console token. */
import { mkdirSync } from 'node:fs';
import { test as base, expect, type Page } from '@playwright/test';
import type { HarnessInfo } from './harness.js';

export function harness(): HarnessInfo {
  const raw = process.env.SCROLLBACK_E2E;
  if (!raw) throw new Error('SCROLLBACK_E2E is not set: run the specs through playwright.config.ts');
  return JSON.parse(raw) as HarnessInfo;
}

const SCREENS_DIR = 'test-results/screens';

export async function saveScreen(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENS_DIR, { recursive: true });
  await page.screenshot({ path: `${SCREENS_DIR}/${name}.png` });
}

/** Every request the page makes that leaves the console's own origin. */
export function watchForeignRequests(page: Page, origin: string): string[] {
  const foreign: string[] = [];
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:')) foreign.push(url);
  });
  return foreign;
}

export const test = base.extend<{ console: HarnessInfo; signedIn: Page }>({
  console: async ({}, use) => {
    await use(harness());
  },
  signedIn: async ({ page, console: info }, use) => {
    // The first load trades the query token for the session cookie, then strips it from the URL.
    await page.goto(`${info.baseUrl}/?token=${info.token}`);
    await expect(page).not.toHaveURL(/token=/);
    await use(page);
  },
});

/** Switch the console to an environment from the band's picker. */
export async function useEnvironment(page: Page, name: string): Promise<void> {
  const picker = page.getByRole('combobox', { name: 'Switch environment' });
  const value = await picker.locator('option', { hasText: name }).first().getAttribute('value');
  if (!value) throw new Error(`no environment named ${name}`);
  await picker.selectOption(value);
  await expect(page.getByTestId('env-name')).toHaveText(name);
}

export { expect };
