/**
 * Starts the e2e harness (console + PostgreSQL + Redis) in its own process, hands its URLs to the
 * specs through the environment, and stops it after the run.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!existsSync(`${root}/dist/renderer/index.html`)) {
    throw new Error('The renderer is not built: run `npm run build` (vite build) before the e2e suite.');
  }
  const child = spawn(process.execPath, ['--import', 'tsx', 'e2e/support/harness.ts'], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, NODE_ENV: 'test' },
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the e2e harness exited early (code ${code})`)));
    setTimeout(() => reject(new Error('the e2e harness did not start within 120 s')), 120_000).unref();
  });
  process.env.SCROLLBACK_E2E = line;
  return async () => {
    child.stdin?.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  };
}
