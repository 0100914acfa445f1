import { createRequire } from 'node:module';
import { Redis } from 'ioredis';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { MissingDependencyError } from '../errors/errors.js';
import { isMissingPackage, loadBackend } from './backend-loader.js';
import { looksLikePostgresPool, type PostgresPool, type RedisConnection } from './driver-types.js';
import { openStore } from './open-store.js';
import { toRedisClient } from '../backends/redis/redis-client.js';

const absent = 'scrollback-no-such-driver';

describe('backend loader', () => {
  it('turns a missing driver into MissingDependencyError naming the package to install', async () => {
    const error: unknown = await loadBackend(absent, 'PostgreSQL', () => import(absent)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MissingDependencyError);
    expect(error).toMatchObject({ code: 'MISSING_DEPENDENCY', dependency: absent, message: expect.stringMatching(`^install ${absent} to use PostgreSQL`) });
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it('recognises the CommonJS form too, and leaves a driver missing its own dependency as it is', async () => {
    let cjs: unknown;
    try {
      createRequire(import.meta.url)(absent);
    } catch (caught) {
      cjs = caught;
    }
    expect(isMissingPackage(cjs, absent)).toBe(true);
    expect(isMissingPackage(cjs, 'pg')).toBe(false);
    const inner = Object.assign(new Error("Cannot find package 'pg-pool' imported from /app/node_modules/pg/lib/index.js"), { code: 'ERR_MODULE_NOT_FOUND' });
    await expect(loadBackend('pg', 'PostgreSQL', () => Promise.reject(inner))).rejects.toBe(inner);
  });

  it('accepts an application pg.Pool and ioredis client, and refuses objects that are neither', async () => {
    const real = new pg.Pool({ connectionString: 'postgres://127.0.0.1:1/none' });
    const pool: PostgresPool = real;
    expect(looksLikePostgresPool(pool)).toBe(true);
    expect(looksLikePostgresPool({ connect: () => undefined, query: () => undefined })).toBe(false);
    const client: RedisConnection = new Redis({ lazyConnect: true });
    expect(toRedisClient(client)).toBe(client);
    await real.end();
    client.disconnect();
    await expect(openStore({ postgres: { pool: {} as PostgresPool } })).rejects.toMatchObject({ code: 'VALIDATION', field: 'postgres.pool' });
    expect(() => toRedisClient({ status: 'ready' } as RedisConnection)).toThrow(/redis.client/);
  });
});
