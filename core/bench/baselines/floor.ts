/**
 * The hand-written minimum: what a careful developer writes without a library. One table with an
 * index, one INSERT per write (a multi-row one for a batch), a Redis list trimmed to the same N
 * the store caches, one pipeline per write. No versions, no idempotency, no projections: the floor
 * the store is held against, not a competitor.
 */
import type pg from 'pg';
import type { Redis } from 'ioredis';
import type Database from 'better-sqlite3';
import type { Message, MessageInput } from '../../events/types.js';

interface FloorRow {
  id: string;
  message_id: string;
  role: Message['role'];
  content: string;
  metadata: Message['metadata'];
  created_at: Date;
}

function fromRow(conversationId: string, row: FloorRow): Message {
  return {
    id: row.message_id,
    conversationId,
    version: Number(row.id),
    role: row.role,
    content: row.content,
    createdAt: row.created_at.toISOString(),
    metadata: row.metadata,
    redacted: false,
  };
}

export interface FloorCacheOptions {
  maxMessages: number;
  ttlSeconds: number;
}

export class PostgresRedisFloor {
  constructor(
    private readonly pool: pg.Pool,
    private readonly redis: Redis,
    private readonly cache: FloorCacheOptions,
  ) {}

  async migrate(): Promise<void> {
    await this.pool.query(`
      CREATE TABLE IF NOT EXISTS floor_messages (
        id bigserial PRIMARY KEY,
        conversation_id text NOT NULL,
        message_id uuid NOT NULL,
        role text NOT NULL,
        content text NOT NULL,
        metadata jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX IF NOT EXISTS floor_messages_conversation ON floor_messages (conversation_id, id);
    `);
  }

  private key(conversationId: string): string {
    return `floor:{${Buffer.from(conversationId).toString('base64url')}}:messages`;
  }

  /** One INSERT (autocommit), then RPUSH + LTRIM + EXPIRE in one pipeline. */
  async append(conversationId: string, input: MessageInput & { id: string }): Promise<Message> {
    const metadata = input.metadata ?? {};
    const { rows } = await this.pool.query<FloorRow>(
      `INSERT INTO floor_messages (conversation_id, message_id, role, content, metadata)
       VALUES ($1, $2, $3, $4, $5) RETURNING id, created_at`,
      [conversationId, input.id, input.role, input.content, metadata],
    );
    const row = rows[0]!;
    const message: Message = {
      id: input.id,
      conversationId,
      version: Number(row.id),
      role: input.role,
      content: input.content ?? '',
      createdAt: row.created_at.toISOString(),
      metadata,
      redacted: false,
    };
    const key = this.key(conversationId);
    await this.redis
      .pipeline()
      .rpush(key, JSON.stringify(message))
      .ltrim(key, -this.cache.maxMessages, -1)
      .expire(key, this.cache.ttlSeconds)
      .exec();
    return message;
  }

  /**
   * A batch in one statement: the columns as arrays, unnested into one multi-row INSERT
   * (autocommit), then one pipeline: RPUSH of all, LTRIM, EXPIRE.
   */
  async appendBatch(conversationId: string, inputs: Array<MessageInput & { id: string }>): Promise<Message[]> {
    const metadata = inputs.map((input) => input.metadata ?? {});
    const { rows } = await this.pool.query<Pick<FloorRow, 'id' | 'message_id' | 'created_at'>>(
      `INSERT INTO floor_messages (conversation_id, message_id, role, content, metadata)
       SELECT $1, m, r, c, md FROM unnest($2::uuid[], $3::text[], $4::text[], $5::jsonb[]) WITH ORDINALITY AS t(m, r, c, md, ord)
       ORDER BY ord
       RETURNING id, message_id, created_at`,
      [
        conversationId,
        inputs.map((input) => input.id),
        inputs.map((input) => input.role),
        inputs.map((input) => input.content ?? ''),
        metadata.map((m) => JSON.stringify(m)),
      ],
    );
    // RETURNING's order is not promised: pair the rows with their inputs by id.
    const byId = new Map(rows.map((row) => [row.message_id, row]));
    const messages = inputs.map((input, i): Message => {
      const row = byId.get(input.id);
      if (!row) throw new Error(`floor batch insert returned no row for ${input.id}`);
      return {
        id: input.id,
        conversationId,
        version: Number(row.id),
        role: input.role,
        content: input.content ?? '',
        createdAt: row.created_at.toISOString(),
        metadata: metadata[i]!,
        redacted: false,
      };
    });
    const key = this.key(conversationId);
    await this.redis
      .pipeline()
      .rpush(key, ...messages.map((m) => JSON.stringify(m)))
      .ltrim(key, -this.cache.maxMessages, -1)
      .expire(key, this.cache.ttlSeconds)
      .exec();
    return messages;
  }

  /** The whole conversation from the log: one SELECT, in order, decoded like a tail. */
  async readAll(conversationId: string): Promise<Message[]> {
    const { rows } = await this.pool.query<FloorRow>(
      `SELECT id, message_id, role, content, metadata, created_at FROM floor_messages
       WHERE conversation_id = $1 ORDER BY id`,
      [conversationId],
    );
    return rows.map((row) => fromRow(conversationId, row));
  }

  /** A cache hit: LRANGE of the last n, decoded. */
  async cachedTail(conversationId: string, n: number): Promise<Message[] | null> {
    const items = await this.redis.lrange(this.key(conversationId), -n, -1);
    return items.length === 0 ? null : items.map((item) => JSON.parse(item) as Message);
  }

  /**
   * A miss: the last `fetch` rows by index (by default as many as the list keeps, so the refilled
   * entry serves what the append path keeps), the list rebuilt in one pipeline, the last n returned.
   */
  async tailFromLog(conversationId: string, n: number, fetch = Math.max(n, this.cache.maxMessages)): Promise<Message[]> {
    const { rows } = await this.pool.query<FloorRow>(
      `SELECT id, message_id, role, content, metadata, created_at FROM floor_messages
       WHERE conversation_id = $1 ORDER BY id DESC LIMIT $2`,
      [conversationId, fetch],
    );
    const messages = rows.reverse().map((row) => fromRow(conversationId, row));
    const key = this.key(conversationId);
    const pipeline = this.redis.pipeline().del(key);
    if (messages.length > 0) pipeline.rpush(key, ...messages.map((m) => JSON.stringify(m)));
    await pipeline.expire(key, this.cache.ttlSeconds).exec();
    return messages.slice(-n);
  }

  async evict(conversationId: string): Promise<void> {
    await this.redis.del(this.key(conversationId));
  }
}

interface SqliteRow {
  id: number;
  message_id: string;
  role: Message['role'];
  content: string;
  metadata: string;
  created_at: string;
}

/**
 * Raw better-sqlite3: prepared statements, one transaction per batch. The caller opens the file with
 * the store's pragmas, synchronous included, so both pay for the same durability.
 */
export class SqliteFloor {
  private readonly insert: Database.Statement;
  private readonly selectTail: Database.Statement<[string, number], SqliteRow>;
  private readonly insertBatch: (conversationId: string, inputs: Array<MessageInput & { id: string }>) => number;

  constructor(private readonly db: Database.Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id TEXT NOT NULL,
        message_id TEXT NOT NULL,
        role TEXT NOT NULL,
        content TEXT NOT NULL,
        metadata TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS messages_conversation ON messages (conversation_id, id);
    `);
    this.insert = db.prepare(
      'INSERT INTO messages (conversation_id, message_id, role, content, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.selectTail = db.prepare<[string, number], SqliteRow>(
      'SELECT id, message_id, role, content, metadata, created_at FROM messages WHERE conversation_id = ? ORDER BY id DESC LIMIT ?',
    );
    this.insertBatch = db.transaction((conversationId: string, inputs: Array<MessageInput & { id: string }>) => {
      const now = new Date().toISOString();
      for (const input of inputs) {
        this.insert.run(conversationId, input.id, input.role, input.content, JSON.stringify(input.metadata ?? {}), now);
      }
      return inputs.length;
    });
  }

  append(conversationId: string, inputs: Array<MessageInput & { id: string }>): number {
    return this.insertBatch(conversationId, inputs);
  }

  tail(conversationId: string, n: number): Message[] {
    return this.selectTail
      .all(conversationId, n)
      .reverse()
      .map(
        (row): Message => ({
          id: row.message_id,
          conversationId,
          version: row.id,
          role: row.role,
          content: row.content,
          createdAt: row.created_at,
          metadata: JSON.parse(row.metadata) as Message['metadata'],
          redacted: false,
        }),
      );
  }
}
