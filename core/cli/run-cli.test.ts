import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, type CliIo } from './run-cli.js';

function capture(env: Record<string, string | undefined> = {}): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    env,
    out: (text: string) => {
      io.stdout += text;
    },
    err: (text: string) => {
      io.stderr += text;
    },
  };
  return io;
}

describe('scrollback CLI', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('prints usage: exit 0 when asked, 2 without a command or with an unknown one', async () => {
    const help = capture();
    expect(await runCli(['help'], help)).toBe(0);
    expect(help.stdout).toMatch(/^Usage: scrollback <command>/);
    const none = capture();
    expect(await runCli([], none)).toBe(2);
    expect(none.stderr).toMatch(/^Usage:/);
    const unknown = capture();
    expect(await runCli(['frobnicate'], unknown)).toBe(2);
    expect(unknown.stderr).toMatch(/^scrollback: unknown command "frobnicate"\n/);
    expect(await runCli(['migrate', 'extra'], capture())).toBe(2);
  });

  it('migrate applies the migrations to the configured SQLite file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scrollback-cli-'));
    dirs.push(dir);
    const path = join(dir, 'log.sqlite');
    const io = capture({ SCROLLBACK_SQLITE_PATH: path });
    expect(await runCli(['migrate'], io)).toBe(0);
    expect(io.stdout).toBe('migrations applied (sqlite)\n');
    const db = new Database(path, { readonly: true });
    try {
      const names = db.prepare<[], { name: string }>('SELECT name FROM scrollback_migrations').all().map((row) => row.name);
      expect(names).toContain('0001_init');
    } finally {
      db.close();
    }
  });

  it('reports a failure in one line with exit 1, and the stack only with --verbose', async () => {
    const quiet = capture({});
    expect(await runCli(['migrate'], quiet)).toBe(1);
    expect(quiet.stderr).toMatch(/^scrollback migrate: ValidationError: .*SCROLLBACK_DATABASE_URL.*\n$/);
    const verbose = capture({});
    expect(await runCli(['migrate', '--verbose'], verbose)).toBe(1);
    expect(verbose.stderr.split('\n').length).toBeGreaterThan(3);
    expect(verbose.stderr).toContain('    at ');
  });
});
