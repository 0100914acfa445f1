import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BackendUnavailableError } from '../../errors/errors.js';
import { applyMigrations, loadMigrations } from './migrate.js';
import { createSqliteLog } from './sqlite-log.js';
import { appendRequest, newMessage, tempDir } from './test-support.js';

describe('sqlite migrations', () => {
  let dir: ReturnType<typeof tempDir>;

  beforeEach(() => {
    dir = tempDir();
  });

  afterEach(() => {
    dir.remove();
  });

  it('finds the numbered files in the repo folder', () => {
    const names = loadMigrations().map((m) => m.name);
    expect(names[0]).toBe('0001_init');
    expect([...names].sort()).toEqual(names);
  });

  it('two opens of one file apply each migration once and record name, checksum and time', async () => {
    const path = join(dir.path, 'two.db');
    const first = createSqliteLog({ path });
    const second = createSqliteLog({ path });
    try {
      await first.migrate();
      await second.migrate();
      await first.migrate();
    } finally {
      await first.close();
      await second.close();
    }
    const raw = new SqliteDatabase(path);
    try {
      const rows = raw.prepare<[], { name: string; checksum: string; applied_at: string }>('SELECT * FROM scrollback_migrations').all();
      expect(rows.map((r) => r.name)).toEqual(loadMigrations().map((m) => m.name));
      expect(rows[0]?.checksum).toBe(loadMigrations()[0]?.checksum);
      expect(new Date(rows[0]?.applied_at ?? '').toISOString()).toBe(rows[0]?.applied_at);
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(applyMigrations(raw)).toEqual([]);
    } finally {
      raw.close();
    }
  });

  it('refuses a database whose applied migration was edited since', () => {
    const raw = new SqliteDatabase(join(dir.path, 'edited.db'));
    try {
      applyMigrations(raw);
      const edited = loadMigrations().map((m) => ({ ...m, checksum: 'different' }));
      expect(() => applyMigrations(raw, edited)).toThrow(/changed after it was applied/);
      expect(raw.inTransaction).toBe(false);
    } finally {
      raw.close();
    }
  });

  it('upgrades a file written at version 1: messages read as before, search still finds them', async () => {
    const path = join(dir.path, 'old.db');
    const raw = new SqliteDatabase(path);
    try {
      applyMigrations(raw, loadMigrations().slice(0, 1));
      const at = new Date().toISOString();
      raw.prepare("INSERT INTO conversations (id, user_id, version, created_at, last_message_at, last_position, preview) VALUES ('old', NULL, 2, ?, ?, 2, 'hello oldword')").run(at, at);
      const insert = raw.prepare('INSERT INTO events (conversation_id, version, event_id, type, data, metadata, recorded_at, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
      insert.run('old', 1, 'e1', 'conversation.started', '{"userId":null}', '{}', at, null);
      insert.run('old', 2, 'm1', 'message.appended', '{"role":"user","content":"hello oldword","metadata":{"k":1}}', '{}', at, 'h');
    } finally {
      raw.close();
    }
    const log = createSqliteLog({ path });
    try {
      await log.migrate();
      const snapshot = await log.tail('old', 10);
      expect(snapshot?.messages).toEqual([{ id: 'm1', conversationId: 'old', version: 2, role: 'user', content: 'hello oldword', createdAt: expect.any(String), metadata: { k: 1 }, redacted: false }]);
      expect((await log.getConversation('old'))?.metadata).toEqual({});
      expect((await log.listConversations({ search: 'oldwo', limit: 10 })).items.map((c) => c.conversationId)).toEqual(['old']);
    } finally {
      await log.close();
    }
  });

  it('upgrades a file written at version 2: events keep their positions, positions are never reissued, ids stay unique per conversation', async () => {
    const path = join(dir.path, 'v2.db');
    const kept = newMessage('kept words here', { id: 'kept-1', metadata: { k: 1 } });
    const raw = new SqliteDatabase(path);
    let positions: unknown[];
    try {
      applyMigrations(raw, loadMigrations().slice(0, 2));
      const at = new Date().toISOString();
      const conversation = raw.prepare(
        'INSERT INTO conversations (id, user_id, version, message_count, created_at, last_message_at, last_position, preview) VALUES (?, NULL, ?, ?, ?, ?, ?, ?)',
      );
      conversation.run('kept', 3, 2, at, at, 3, 'second');
      conversation.run('gone', 2, 1, at, at, 5, 'soon deleted');
      const insert = raw.prepare('INSERT INTO events (conversation_id, version, event_id, type, data, metadata, recorded_at, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
      const data = (content: string, metadata: object = {}) => JSON.stringify({ role: 'user', content, metadata });
      insert.run('kept', 1, 'kept-start', 'conversation.started', '{"userId":null}', '{}', at, null);
      insert.run('kept', 2, 'kept-1', 'message.appended', data('kept words here', { k: 1 }), '{}', at, kept.contentHash);
      insert.run('kept', 3, 'kept-2', 'message.appended', data('second'), '{}', at, 'stored-hash');
      insert.run('gone', 1, 'gone-start', 'conversation.started', '{"userId":null}', '{}', at, null);
      insert.run('gone', 2, 'gone-1', 'message.appended', data('soon deleted'), '{}', at, 'stored-hash');
      // The newest rows go, as a hard delete leaves it: a plain rowid would hand their positions out again.
      raw.prepare("DELETE FROM events WHERE conversation_id = 'gone'").run();
      raw.prepare("DELETE FROM conversations WHERE id = 'gone'").run();
      positions = raw.prepare('SELECT position, conversation_id, version, event_id, data FROM events ORDER BY position').all();
      expect(raw.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'").get()).toEqual({ seq: 5 });
    } finally {
      raw.close();
    }

    const log = createSqliteLog({ path });
    try {
      await log.migrate();
      const check = new SqliteDatabase(path, { readonly: true });
      try {
        expect(check.prepare('SELECT position, conversation_id, version, event_id, data FROM events ORDER BY position').all()).toEqual(positions);
      } finally {
        check.close();
      }
      expect((await log.tail('kept', 10))?.messages.map((m) => [m.id, m.content, m.metadata])).toEqual([
        ['kept-1', 'kept words here', { k: 1 }],
        ['kept-2', 'second', {}],
      ]);
      expect((await log.append(appendRequest('kept', [newMessage('third')]))).position).toBe(6);
      // Ids stay unique per conversation: a retry is recognised by its stored hash, other content
      // under the id is refused, and another conversation may use the id.
      await expect(log.append(appendRequest('kept', [kept]))).resolves.toMatchObject({ outcome: 'already_appended', version: 2 });
      await expect(log.append(appendRequest('kept', [newMessage('other text', { id: 'kept-1' })]))).rejects.toMatchObject({ code: 'IDEMPOTENCY_CONFLICT' });
      await expect(log.append(appendRequest('elsewhere', [newMessage('reused id', { id: 'kept-1' })]))).resolves.toMatchObject({ outcome: 'appended' });
      expect((await log.listConversations({ search: 'kept', limit: 10 })).items.map((c) => c.conversationId)).toEqual(['kept']);
    } finally {
      await log.close();
    }
  });

  it('a file that cannot be opened is BackendUnavailableError', () => {
    // A folder where the database file should be.
    expect(() => createSqliteLog({ path: dir.path })).toThrow(BackendUnavailableError);
  });
});
