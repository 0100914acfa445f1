/** `npm start` in web mode: the URL it prints is where the console really answers. */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';

it('prints a token URL on its own loopback address that opens the console', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-cli-'));
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'cli.ts')], {
    env: { ...process.env, SCROLLBACK_CONSOLE_DIR: dataDir, SCROLLBACK_CONSOLE_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed within 60 s: ${output}`)), 60_000);
      const check = (): void => {
        const match = /http:\/\/(127\.\d+\.\d+\.\d+):(\d+)\/\?token=[\w-]+/.exec(output);
        if (match === null) return;
        clearTimeout(timer);
        resolve(match[0]);
      };
      child.stdout.on('data', check);
      child.once('exit', (code) => reject(new Error(`the console exited (${code}): ${output}`)));
    });
    const { host } = new URL(url);
    expect(host.startsWith('127.0.0.1:')).toBe(false);
    const exchange = await fetch(url, { redirect: 'manual' });
    expect(exchange.status).toBe(303);
    const cookie = exchange.headers.get('set-cookie')?.split(';')[0] ?? '';
    const page = await fetch(new URL(exchange.headers.get('location') ?? '/', url), { headers: { cookie } });
    expect(page.status).toBe(200);
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    }
  }
});
