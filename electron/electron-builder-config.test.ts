import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '..');

let compiled: ValidateFunction | undefined;
/** Compiling the schema takes seconds: once per file. */
function validator(): ValidateFunction {
  const schema = JSON.parse(readFileSync(join(root, 'node_modules', 'app-builder-lib', 'scheme.json'), 'utf8')) as object;
  compiled ??= new Ajv({ strict: false, allErrors: true }).compile(schema);
  return compiled;
}

function load(): Record<string, unknown> {
  return parse(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as Record<string, unknown>;
}

describe('electron-builder.yml', () => {
  it('is valid against the schema electron-builder ships', () => {
    const validate = validator();
    const valid = validate(load());
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('builds AppImage and deb on Linux, dmg and nsis elsewhere, with native modules rebuilt and unpacked', () => {
    const config = load() as {
      productName: string;
      npmRebuild: boolean;
      asarUnpack: string[];
      files: string[];
      linux: { target: string[] };
      mac: { target: string[] };
      win: { target: string[] };
    };
    expect(config.productName).toBe('Scrollback');
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.npmRebuild).toBe(true);
    expect(config.asarUnpack.some((p) => p.includes('better-sqlite3'))).toBe(true);
    expect(config.files).toEqual(expect.arrayContaining(['electron/dist/**/*', 'dist/renderer/**/*', 'migrations/**/*']));
  });

  it('starts the desktop shell, not the npm library that package.json names, under the app name', () => {
    const config = load() as { extraMetadata: { main: string; name: string } };
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string };
    expect(pkg.main).toBe('./dist/index.js');
    expect(config.extraMetadata).toEqual({ main: 'electron/dist/main.js', name: 'scrollback' });
  });

  it('would fail on a misspelt key', () => {
    const validate = validator();
    expect(validate({ ...load(), npmRebiuld: true })).toBe(false);
  });
});
