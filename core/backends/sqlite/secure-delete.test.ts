import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventLog } from '../log.js';
import { createSqliteLog } from './sqlite-log.js';
import { appendRequest, controlRequest, newMessage, tempDir } from './test-support.js';

/** Every byte SQLite keeps on disk for this database: the main file and its WAL. */
function fileBytes(path: string): Buffer {
  const parts = [readFileSync(path)];
  if (existsSync(`${path}-wal`)) parts.push(readFileSync(`${path}-wal`));
  return Buffer.concat(parts);
}

describe('removed text leaves the database file', () => {
  let dir: ReturnType<typeof tempDir>;
  let path: string;
  let log: EventLog;

  beforeEach(async () => {
    dir = tempDir();
    path = join(dir.path, 'secure.db');
    // The idle indexer never runs here: each test decides whether text was indexed (a search
    // indexes the backlog first) before it is removed.
    log = createSqliteLog({ path, searchIndexDelayMs: 3_600_000 });
    await log.migrate();
    // Neighbours, so the secret shares pages (and index segments) with text that stays.
    for (let i = 0; i < 20; i++) {
      await log.append(appendRequest(`neighbour-${i}`, [newMessage(`ordinary words number ${i} about lunch`)]));
    }
  });

  afterEach(async () => {
    await log.close();
    dir.remove();
  });

  function checkpoint(): void {
    const raw = new SqliteDatabase(path);
    try {
      raw.pragma('wal_checkpoint(TRUNCATE)');
      // The search index must still be consistent after its rows were deleted.
      raw.exec("INSERT INTO search_index (search_index) VALUES ('integrity-check')");
    } finally {
      raw.close();
    }
  }

  for (const mode of ['mask', 'purge'] as const) {
    for (const indexed of [true, false]) {
      it(`${mode}, ${indexed ? 'after' : 'before'} indexing: the content is gone from every page and from search`, async () => {
        const secret = 'zyxwvutsecretvalue';
        const message = newMessage(`my password is ${secret} please forget it`, { metadata: { note: 'metadatamarker' } });
        await log.append(appendRequest('victim', [newMessage('hello'), message, newMessage('after')]));
        if (indexed) expect((await log.listConversations({ limit: 10, search: secret })).items).toHaveLength(1);
        checkpoint();
        expect(fileBytes(path).includes(secret)).toBe(true);

        await log.control(
          controlRequest('victim', { type: 'message.redacted', messageId: message.id, mode, reason: 'pii', by: null }),
        );
        checkpoint();
        const bytes = fileBytes(path);
        expect(bytes.includes(secret)).toBe(false);
        expect(bytes.includes('metadatamarker')).toBe(mode === 'mask');
        expect((await log.listConversations({ limit: 10, search: 'zyxwvut' })).items).toEqual([]);
        expect((await log.listConversations({ limit: 50, search: 'lunch' })).items).toHaveLength(20);
        checkpoint();
      });
    }
  }

  it('hard delete: messages and title are gone from every page and from search', async () => {
    const secret = 'qqqhardsecretword';
    await log.append(appendRequest('doomed', [newMessage(`first ${secret}`), newMessage(`second ${secret}`)]));
    // Half of it indexed, half still in the backlog.
    expect((await log.listConversations({ limit: 10, search: secret })).items).toHaveLength(1);
    await log.append(appendRequest('doomed', [newMessage(`third ${secret}`)]));
    await log.control(controlRequest('doomed', { type: 'conversation.renamed', title: `title ${secret}x` }));
    checkpoint();
    expect(fileBytes(path).includes(`${secret}x`)).toBe(true);

    await log.hardDelete('doomed');
    checkpoint();
    expect(fileBytes(path).includes(secret)).toBe(false);
    expect((await log.listConversations({ limit: 10, search: 'qqqhard' })).items).toEqual([]);
  });

  it('the log checkpoints by itself after a removal, so no WAL frame keeps the text', async () => {
    const secret = 'walframesecretword';
    const message = newMessage(`text ${secret}`);
    await log.append(appendRequest('wal', [message]));
    await log.control(controlRequest('wal', { type: 'message.redacted', messageId: message.id, mode: 'purge', reason: 'r', by: null }));
    expect(fileBytes(path).includes(secret)).toBe(false);
  });
});

describe('positions', () => {
  it('are never reused after the newest rows are hard-deleted (AUTOINCREMENT)', async () => {
    const log = createSqliteLog({ path: ':memory:' });
    await log.migrate();
    try {
      const first = await log.append(appendRequest('a', [newMessage('x'), newMessage('y')]));
      await log.hardDelete('a');
      const second = await log.append(appendRequest('b', [newMessage('z')]));
      // 'b' starts with conversation.started, then its message: both above everything 'a' held.
      expect(second.position).toBe(first.position + 2);
      expect(await log.endCheckpoint()).toBe(String(second.position));
    } finally {
      await log.close();
    }
  });
});
