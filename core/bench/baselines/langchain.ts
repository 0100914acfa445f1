/**
 * LangChain's chat message histories, used as their docs show: one history object per session,
 * `addMessage` to write, `getMessages` to read (it returns the whole session; a caller wanting
 * the last 20 slices afterwards).
 */
import type pg from 'pg';
import type { Redis } from 'ioredis';
import { PostgresChatMessageHistory } from '@langchain/community/stores/message/postgres';
import { RedisChatMessageHistory } from '@langchain/community/stores/message/ioredis';
import { AIMessage, HumanMessage, type BaseMessage } from '@langchain/core/messages';
import type { MessageInput } from '../../events/types.js';

export const LANGCHAIN_TABLE = 'langchain_chat_histories';
/** The same table with the index LangChain doesn't create: what a careful user would add. */
export const LANGCHAIN_INDEXED_TABLE = 'langchain_chat_histories_indexed';

export function toLangChain(input: MessageInput): BaseMessage {
  return input.role === 'user' ? new HumanMessage(input.content ?? '') : new AIMessage(input.content ?? '');
}

export class LangChainPostgres {
  private readonly histories = new Map<string, PostgresChatMessageHistory>();

  /** `indexSessionId`: adds `CREATE INDEX … (session_id)` to the table LangChain creates. */
  constructor(
    private readonly pool: pg.Pool,
    private readonly options: { tableName: string; indexSessionId: boolean } = { tableName: LANGCHAIN_TABLE, indexSessionId: false },
  ) {}

  get tableName(): string {
    return this.options.tableName;
  }

  history(sessionId: string): PostgresChatMessageHistory {
    let history = this.histories.get(sessionId);
    if (!history) {
      history = new PostgresChatMessageHistory({ pool: this.pool, sessionId, tableName: this.options.tableName });
      this.histories.set(sessionId, history);
    }
    return history;
  }

  /** Creates its table the way the class does on first use, then the index if asked for. */
  async migrate(): Promise<void> {
    await this.history('__init__').getMessages();
    if (this.options.indexSessionId) {
      const table = this.options.tableName;
      await this.pool.query(`CREATE INDEX IF NOT EXISTS ${table}_session_id ON ${table} (session_id)`);
    }
  }

  append(sessionId: string, input: MessageInput): Promise<void> {
    return this.history(sessionId).addMessage(toLangChain(input));
  }

  async tail(sessionId: string, n: number): Promise<BaseMessage[]> {
    return (await this.history(sessionId).getMessages()).slice(-n);
  }

  readAll(sessionId: string): Promise<BaseMessage[]> {
    return this.history(sessionId).getMessages();
  }

  async rowCount(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${this.options.tableName}`);
    return rows[0]?.n ?? 0;
  }
}

export class LangChainRedis {
  private readonly histories = new Map<string, RedisChatMessageHistory>();

  constructor(
    private readonly client: Redis,
    private readonly sessionTTL: number,
  ) {}

  history(sessionId: string): RedisChatMessageHistory {
    let history = this.histories.get(sessionId);
    if (!history) {
      history = new RedisChatMessageHistory({ client: this.client, sessionId: `lc:${sessionId}`, sessionTTL: this.sessionTTL });
      this.histories.set(sessionId, history);
    }
    return history;
  }

  append(sessionId: string, input: MessageInput): Promise<void> {
    return this.history(sessionId).addMessage(toLangChain(input));
  }

  async tail(sessionId: string, n: number): Promise<BaseMessage[]> {
    return (await this.history(sessionId).getMessages()).slice(-n);
  }
}
