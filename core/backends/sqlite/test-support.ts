/** Helpers for the SQLite log's own tests and worker processes. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export { appendRequest, controlRequest, newMessage } from '../../testing/log-requests.js';

/** A fresh folder for database files; `remove` deletes it. */
export function tempDir(): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'scrollback-sqlite-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
