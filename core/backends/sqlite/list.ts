/**
 * listConversations on SQLite: the projection table read through its (last_message_at DESC, id DESC)
 * indexes, an opaque cursor holding the exact sort key of the last row, and FTS5 search.
 */
import type { Database, Statement } from 'better-sqlite3';
import { ValidationError } from '../../errors/errors.js';
import { canonicalJson } from '../../events/content-hash.js';
import type { ListOptions, ListResult } from '../../events/types.js';
import { CONVERSATION_COLUMNS, toConversationInfo, type ConversationRow } from './rows.js';

interface SortKey {
  lastMessageAt: string;
  id: string;
}

export function encodeCursor(key: SortKey): string {
  return Buffer.from(JSON.stringify([key.lastMessageAt, key.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): SortKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (error) {
    throw new ValidationError('cursor', 'malformed cursor', { cause: error });
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || typeof parsed[0] !== 'string' || typeof parsed[1] !== 'string') {
    throw new ValidationError('cursor', 'malformed cursor');
  }
  return { lastMessageAt: parsed[0], id: parsed[1] };
}

// The unicode61 tokenizer's token characters (categories L*, N*, Co): a query word cut the same way
// is exactly one FTS token, which detail=none requires (no multi-token phrases).
const WORD = /[\p{L}\p{N}\p{Co}]+/gu;

/**
 * The FTS5 query for "every word, as a prefix": each word quoted as a string (so no word is read as
 * an operator) and followed by `*`; implicit AND. Null when the text holds no word at all.
 */
export function searchQuery(search: string): string | null {
  const words = search.match(WORD);
  if (words === null) return null;
  return words.map((word) => `"${word.replaceAll('"', '""')}"*`).join(' ');
}

type ListStatement = Statement<unknown[], ConversationRow>;

/** Prepares listing statements on first use, one per combination of filters. */
export function createLister(db: Database): (options: ListOptions & { limit: number }) => ListResult {
  const cache = new Map<string, ListStatement>();

  return (options) => {
    const where: string[] = [];
    const params: unknown[] = [];
    if (options.userId !== undefined) {
      where.push('user_id = ?');
      params.push(options.userId);
    }
    if (options.includeDeleted !== true) where.push("status = 'active'");
    if (options.metadata !== undefined && Object.keys(options.metadata).length > 0) {
      // No filter entry without an equal stored entry. Both sides are canonical JSON, so objects
      // and arrays compare as text; the type column tells true from 1.
      where.push(
        `NOT EXISTS (SELECT 1 FROM json_each(?) AS f WHERE NOT EXISTS (
           SELECT 1 FROM json_each(conversations.metadata) AS m WHERE m.key = f.key AND m.type = f.type AND m.value IS f.value))`,
      );
      params.push(canonicalJson(options.metadata));
    }
    if (options.cursor !== undefined) {
      const after = decodeCursor(options.cursor);
      where.push('(last_message_at, id) < (?, ?)');
      params.push(after.lastMessageAt, after.id);
    }
    // A search with no word in it (only punctuation or spaces) filters nothing.
    const query = options.search === undefined ? null : searchQuery(options.search);
    if (query !== null) {
      // A title row's id is its rename event's position, a message row's its own event's position.
      where.push(
        `id IN (SELECT e.conversation_id FROM search_index JOIN events AS e ON e.position = search_index.rowid
                WHERE search_index MATCH ?)`,
      );
      params.push(query);
    }
    params.push(options.limit + 1);

    const sql =
      `SELECT ${CONVERSATION_COLUMNS} FROM conversations` +
      (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
      ' ORDER BY last_message_at DESC, id DESC LIMIT ?';
    let statement = cache.get(sql);
    if (statement === undefined) {
      statement = db.prepare<unknown[], ConversationRow>(sql);
      cache.set(sql, statement);
    }

    const rows = statement.all(...params);
    const page = rows.length > options.limit ? rows.slice(0, options.limit) : rows;
    const last = page.at(-1);
    const result: ListResult = { items: page.map(toConversationInfo) };
    if (rows.length > options.limit && last !== undefined) {
      result.nextCursor = encodeCursor({ lastMessageAt: last.last_message_at, id: last.id });
    }
    return result;
  };
}
