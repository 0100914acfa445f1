/**
 * LangChain JS's PostgreSQL chat histories (`PostgresChatMessageHistory` from @langchain/community):
 * a table (default `langchain_chat_histories`) of `id SERIAL, session_id VARCHAR(255), message
 * JSONB`, where `message` is the stored message's `data` with its `type` merged in. Rows are read
 * per session in `id` order, as LangChain reads them; a message without its own UUID gets an id
 * derived from its row id, which never changes.
 */
import pg from 'pg';
import { BackendUnavailableError, ValidationError } from '../../errors/errors.js';
import { importedMessageId } from './deterministic-id.js';
import { fromLangChain, isRecord } from './langchain-message.js';
import { uniqueIds, type ImportConversation, type ImportPlan, type ImportSource } from './source.js';

const FORMAT = 'langchain-postgres';

/** `schema.table` or `table`, each part quoted as given (so the name is taken literally). */
export function quoteTableName(name: string): string {
  const parts = name.split('.');
  if (parts.length > 2 || parts.some((part) => part.length === 0)) throw new ValidationError('--table', 'must be "table" or "schema.table"');
  return parts.map((part) => pg.escapeIdentifier(part)).join('.');
}

export function createLangChainPostgresSource(url: string, options: { table: string }): ImportSource {
  const table = quoteTableName(options.table);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000, application_name: 'scrollback-import' });
  client.on('error', () => undefined);
  let connected: Promise<unknown> | undefined;
  let sessions: { sessionId: string; count: number }[] | undefined;

  const query = async <R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> => {
    try {
      connected ??= client.connect();
      await connected;
      return (await client.query<R>(text, values)).rows;
    } catch (error) {
      if ((error as { code?: unknown }).code === '42P01') {
        throw new ValidationError('--table', `${options.table.slice(0, 80)} does not exist in the source database`, { cause: error });
      }
      throw new BackendUnavailableError('postgres', 'cannot read the LangChain source', { cause: error });
    }
  };

  const discover = async (): Promise<{ sessionId: string; count: number }[]> => {
    sessions ??= (await query<{ session_id: string; n: number }>(`SELECT session_id, count(*)::int AS n FROM ${table} GROUP BY session_id ORDER BY session_id`)).map(
      (row) => ({ sessionId: row.session_id, count: row.n }),
    );
    return sessions;
  };

  return {
    async plan(): Promise<ImportPlan> {
      const found = await discover();
      return { conversations: found.length, messages: found.reduce((sum, s) => sum + s.count, 0) };
    },
    async *conversations(): AsyncIterable<ImportConversation> {
      for (const { sessionId } of await discover()) {
        const rows = await query<{ id: number; message: unknown }>(`SELECT id, message FROM ${table} WHERE session_id = $1 ORDER BY id`, [sessionId]);
        const unique = uniqueIds();
        const items = rows.map((row) => {
          const field = `row ${row.id}`;
          if (!isRecord(row.message)) throw new ValidationError(field, 'message is not a JSON object');
          const { type, ...data } = row.message;
          const { ownId, ...message } = fromLangChain({ type, data }, field);
          const place = `row:${row.id}`;
          const id = unique(importedMessageId(FORMAT, sessionId, place, ownId), () => importedMessageId(FORMAT, sessionId, place, undefined));
          return { kind: 'message' as const, message: { ...message, id } };
        });
        yield { conversationId: sessionId, userId: null, items };
      }
    },
    async close() {
      if (connected !== undefined) await client.end();
    },
  };
}
