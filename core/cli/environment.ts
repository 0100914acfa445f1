/**
 * The configuration every command shares: the environment `openStore()` reads, validated once,
 * so a command that talks to a backend directly (migrate, tail) sees the same log as the store.
 */
import { createPostgresLog } from '../backends/postgres/postgres-log.js';
import { createSqliteLog } from '../backends/sqlite/sqlite-log.js';
import type { EventLog } from '../backends/log.js';
import { configFromEnvironment, resolveConfig, type ResolvedConfig } from '../store/config.js';

export function resolvedEnvironment(): ResolvedConfig {
  return resolveConfig(configFromEnvironment());
}

/** The log alone (no cache), as the store would open it. */
export function openLog(config: ResolvedConfig = resolvedEnvironment()): EventLog {
  if (config.sqlite !== undefined) return createSqliteLog({ path: config.sqlite.path });
  const pg = config.postgres;
  if (pg?.url === undefined) throw new Error('unreachable: resolveConfig requires a log');
  return createPostgresLog({ url: pg.url, poolSize: 2, connectTimeoutMs: pg.connectTimeoutMs, queryTimeoutMs: pg.queryTimeoutMs });
}
