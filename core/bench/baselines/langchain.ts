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

export function toLangChain(input: MessageInput): BaseMessage {
  return input.role === 'user' ? new HumanMessage(input.content ?? '') : new AIMessage(input.content ?? '');
}

export class LangChainPostgres {
  private readonly histories = new Map<string, PostgresChatMessageHistory>();

  constructor(private readonly pool: pg.Pool) {}

  history(sessionId: string): PostgresChatMessageHistory {
    let history = this.histories.get(sessionId);
    if (!history) {
      history = new PostgresChatMessageHistory({ pool: this.pool, sessionId, tableName: LANGCHAIN_TABLE });
      this.histories.set(sessionId, history);
    }
    return history;
  }

  /** Creates its table the way the class does on first use. */
  async migrate(): Promise<void> {
    await this.history('__init__').getMessages();
  }

  append(sessionId: string, input: MessageInput): Promise<void> {
    return this.history(sessionId).addMessage(toLangChain(input));
  }

  async tail(sessionId: string, n: number): Promise<BaseMessage[]> {
    return (await this.history(sessionId).getMessages()).slice(-n);
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
