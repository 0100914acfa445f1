import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EventLog } from '../log.js';
import { INDEX_BATCH_POSITIONS } from './search-index.js';
import { createSqliteLog } from './sqlite-log.js';
import { appendRequest, controlRequest, newMessage, tempDir } from './test-support.js';

describe('search index maintained behind the append', () => {
  let dir: ReturnType<typeof tempDir>;
  let path: string;
  let log: EventLog | undefined;

  beforeEach(() => {
    dir = tempDir();
    path = join(dir.path, 'search.db');
  });

  afterEach(async () => {
    await log?.close();
    dir.remove();
  });

  /** The indexer's watermark and the index's own consistency, read through a second connection. */
  function indexState(): { indexedThrough: number } {
    const raw = new SqliteDatabase(path);
    try {
      raw.exec("INSERT INTO search_index (search_index) VALUES ('integrity-check')");
      return { indexedThrough: raw.prepare<[], { n: number }>('SELECT indexed_through AS n FROM search_progress').get()?.n ?? -1 };
    } finally {
      raw.close();
    }
  }

  it('the idle indexer catches up without any search', async () => {
    log = createSqliteLog({ path, searchIndexDelayMs: 0 });
    await log.migrate();
    const { position } = await log.append(appendRequest('idle', [newMessage('indexed while idle')]));
    await vi.waitFor(() => expect(indexState().indexedThrough).toBe(position), { timeout: 10_000, interval: 20 });
  });

  it('a search indexes the whole backlog first, in several batches', async () => {
    log = createSqliteLog({ path, searchIndexDelayMs: 3_600_000 });
    await log.migrate();
    const batch = Array.from({ length: 1000 }, (_, i) => newMessage(`filler ${i}`));
    for (let i = 0; i * 1000 < INDEX_BATCH_POSITIONS * 2; i++) {
      await log.append(appendRequest(`bulk-${i}`, batch.map((m) => newMessage(m.content))));
    }
    const { position } = await log.append(appendRequest('needle', [newMessage('a needle in the backlog')]));
    expect(indexState().indexedThrough).toBe(0);
    const found = await log.listConversations({ limit: 10, search: 'needle' });
    expect(found.items.map((i) => i.conversationId)).toEqual(['needle']);
    expect(indexState().indexedThrough).toBe(position);
  });

  it('a message redacted before indexing is never indexed, and deletes stay consistent', async () => {
    log = createSqliteLog({ path, searchIndexDelayMs: 3_600_000 });
    await log.migrate();
    const early = newMessage('early bird');
    await log.append(appendRequest('mixed', [early, newMessage('bird two')]));
    await log.control(controlRequest('mixed', { type: 'message.redacted', messageId: early.id, mode: 'mask', reason: 'r', by: null }));
    expect((await log.listConversations({ limit: 10, search: 'early' })).items).toEqual([]);
    expect((await log.listConversations({ limit: 10, search: 'bird' })).items).toHaveLength(1);
    await log.append(appendRequest('mixed', [newMessage('bird three, not indexed yet')]));
    await log.hardDelete('mixed');
    expect(indexState().indexedThrough).toBeGreaterThan(0);
    expect((await log.listConversations({ limit: 10, search: 'bird' })).items).toEqual([]);
  });
});
