/**
 * Driver objects an application may hand to `openStore`, typed by shape instead of imported from
 * `pg` and `ioredis`: the store's declarations then compile in a project that has not installed a
 * driver (or its @types) for a mode it doesn't use. A `pg.Pool` is a `PostgresPool`; an ioredis
 * `Redis` or `Cluster` is a `RedisConnection`. The backends check the shape when the store opens.
 */

/** An application's own `pg.Pool` (its `options` also configure the LISTEN connection). */
export interface PostgresPool {
  readonly options: object;
  connect(): Promise<unknown>;
  query(text: string): Promise<unknown>;
}

/** An application's own ioredis client: a `Redis` or a `Cluster`. */
export interface RedisConnection {
  readonly status: string;
  duplicate(): unknown;
  disconnect(): void;
}

function hasMethods(value: unknown, names: readonly string[]): boolean {
  if (value === null || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  return names.every((name) => typeof record[name] === 'function');
}

export function looksLikePostgresPool(value: unknown): boolean {
  if (!hasMethods(value, ['connect', 'query'])) return false;
  const options = (value as { options?: unknown }).options;
  return typeof options === 'object' && options !== null;
}

export function looksLikeRedisConnection(value: unknown): boolean {
  return hasMethods(value, ['duplicate', 'disconnect', 'evalsha', 'eval', 'ping']);
}
