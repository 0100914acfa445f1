import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ASSETS_MODULE, renderAssets } from '../../scripts/embed-assets.js';
import { LUA_SCRIPTS, POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS } from './assets.js';

const root = join(import.meta.dirname, '..', '..');

describe('embedded SQL and Lua', () => {
  it('match the files they are generated from (else: npm run generate:assets)', () => {
    expect(readFileSync(join(root, ASSETS_MODULE), 'utf8')).toBe(renderAssets(root));
  });

  it('hold every migration and script byte for byte, so checksums stay those of the files', () => {
    for (const { file, sql } of POSTGRES_MIGRATIONS) expect(sql).toBe(readFileSync(join(root, 'migrations', 'postgres', file), 'utf8'));
    for (const { file, sql } of SQLITE_MIGRATIONS) expect(sql).toBe(readFileSync(join(root, 'migrations', 'sqlite', file), 'utf8'));
    expect(POSTGRES_MIGRATIONS.map((m) => m.file)).toContain('0001_init.sql');
    expect(SQLITE_MIGRATIONS.map((m) => m.file)).toContain('0001_init.sql');
    expect(Object.keys(LUA_SCRIPTS).sort()).toEqual(['append', 'fill', 'inspect', 'invalidate', 'lib/push-entry', 'read']);
    expect(LUA_SCRIPTS.read).toBe(readFileSync(join(root, 'core', 'backends', 'redis', 'scripts', 'read.lua'), 'utf8'));
  });
});
