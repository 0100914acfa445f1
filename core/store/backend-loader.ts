/**
 * Loads the backend modules a store's mode needs, and only those: `pg`, `ioredis` and
 * `better-sqlite3` are optional peer dependencies, so a PostgreSQL user never loads (or installs)
 * the native SQLite build, and an embedded user needs neither server driver. A driver that is not
 * installed becomes a `MissingDependencyError` naming the package to install.
 */
import type pg from 'pg';
import type { EventLog } from '../backends/log.js';
import { MissingDependencyError, ValidationError } from '../errors/errors.js';
import { describeError, type Logger } from '../logging/logger.js';
import type { ResolvedConfig } from './config.js';
import { looksLikePostgresPool, type PostgresPool } from './driver-types.js';
import type { HybridParts } from './hybrid-parts.js';

/** True when `error` says the package `name` itself (not one of its own imports) is missing. */
export function isMissingPackage(error: unknown, name: string): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  // Node: "Cannot find package 'pg' imported from …" (ESM), "Cannot find module 'pg'" (CJS).
  return new RegExp(`Cannot find (package|module) '${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'`).test(error.message);
}

/** Imports a backend module, turning a missing driver into a `MissingDependencyError`. */
export async function loadBackend<T>(dependency: string, purpose: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (isMissingPackage(error, dependency)) throw new MissingDependencyError(dependency, purpose, { cause: error });
    throw error;
  }
}

/** An application's own pool from the config, checked: the public type only names its shape. */
function toPgPool(value: PostgresPool): pg.Pool {
  if (!looksLikePostgresPool(value)) throw new ValidationError('postgres.pool', 'must be a pg.Pool');
  return value as pg.Pool;
}

/** The log of record: SQLite in embedded mode, else PostgreSQL (beside it, SQLite is the outbox). */
export async function createLog(config: ResolvedConfig, logger: Logger): Promise<EventLog> {
  if (config.sqlite !== undefined && config.postgres === undefined) {
    const { createSqliteLog } = await loadBackend('better-sqlite3', 'SQLite', () => import('../backends/sqlite/sqlite-log.js'));
    return createSqliteLog({ path: config.sqlite.path, durability: config.sqlite.durability, readOnly: config.readOnly });
  }
  const postgres = config.postgres;
  if (postgres === undefined) throw new Error('unreachable: resolveConfig requires a log');
  const pool = postgres.pool === undefined ? undefined : toPgPool(postgres.pool);
  const { createPostgresLog } = await loadBackend('pg', 'PostgreSQL', () => import('../backends/postgres/postgres-log.js'));
  return createPostgresLog({
    ...(postgres.url !== undefined ? { url: postgres.url } : {}),
    ...(pool !== undefined ? { pool } : {}),
    poolSize: postgres.poolSize,
    connectTimeoutMs: postgres.connectTimeoutMs,
    queryTimeoutMs: postgres.queryTimeoutMs,
    searchIndexer: !config.readOnly,
    onError: (error) => logger.warn('postgres background work failed', describeError(error)),
  });
}

/** The offline outbox's module (SQLite beside PostgreSQL), loaded only in that mode. */
export async function loadFallback(): Promise<typeof import('../fallback/store-fallback.js')> {
  return loadBackend('better-sqlite3', 'the SQLite fallback outbox', () => import('../fallback/store-fallback.js'));
}

/** The Redis tier, the L1 and the metrics publisher in hybrid mode; null otherwise. */
export async function loadHybridParts(config: ResolvedConfig, logger: Logger, instanceId: string): Promise<HybridParts | null> {
  if (config.redis === undefined) return null;
  const { openHybridParts } = await loadBackend('ioredis', 'the Redis cache', () => import('./hybrid-parts.js'));
  return openHybridParts(config, logger, instanceId);
}
