import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from './sqlite-log.js';
import { tempDir } from './test-support.js';

// SQLite reports `synchronous` as a number: 1 NORMAL, 2 FULL.
describe('SQLite durability', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.remove());

  it.each([
    [undefined, 2],
    ['full', 2],
    ['normal', 1],
  ] as const)('durability %s runs synchronous=%i, in WAL', (durability, expected) => {
    const db = openDatabase(join(dir.path, `${durability ?? 'default'}.sqlite`), 1000, durability);
    try {
      expect(db.pragma('synchronous', { simple: true })).toBe(expected);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
  });
});
