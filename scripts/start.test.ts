import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain ESM script without type declarations
import { electronBinary, rendererIsStale } from './start.mjs';

function fakeApp(): string {
  const root = mkdtempSync(join(tmpdir(), 'sb-start-'));
  mkdirSync(join(root, 'renderer'), { recursive: true });
  writeFileSync(join(root, 'renderer', 'main.tsx'), 'export {}');
  return root;
}

describe('start script', () => {
  it('rebuilds the renderer when the build is missing or older than its sources', () => {
    const root = fakeApp();
    expect(rendererIsStale(root)).toBe(true);
    mkdirSync(join(root, 'dist', 'renderer'), { recursive: true });
    const built = join(root, 'dist', 'renderer', 'index.html');
    writeFileSync(built, '<!doctype html>');
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(root, 'renderer', 'main.tsx'), past, past);
    expect(rendererIsStale(root)).toBe(false);
    const future = new Date(Date.now() + 60_000);
    utimesSync(join(root, 'renderer', 'main.tsx'), future, future);
    expect(rendererIsStale(root)).toBe(true);
  });

  it('finds Electron only when its binary is really there (never downloading it)', () => {
    const root = fakeApp();
    expect(electronBinary(root)).toBeNull();
    const pkg = join(root, 'node_modules', 'electron');
    mkdirSync(join(pkg, 'dist'), { recursive: true });
    writeFileSync(join(pkg, 'path.txt'), 'electron');
    expect(electronBinary(root)).toBeNull();
    writeFileSync(join(pkg, 'dist', 'electron'), '');
    expect(electronBinary(root)).toBe(join(pkg, 'dist', 'electron'));
  });
});
