import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/errors.js';
import { configFromEnvironment, resolveConfig, type StoreConfig } from './config.js';

describe('configuration', () => {
  it('reads the environment, SCROLLBACK_* first', () => {
    const config = configFromEnvironment({
      SCROLLBACK_DATABASE_URL: 'postgres://a@db/app',
      DATABASE_URL: 'postgres://ignored@db/app',
      REDIS_URL: 'redis://cache:6379',
      SCROLLBACK_CACHE_TTL_SECONDS: '60',
    });
    expect(config).toMatchObject({ postgres: { url: 'postgres://a@db/app' }, redis: { url: 'redis://cache:6379' }, cache: { ttlSeconds: 60, maxMessages: 50 } });
  });

  it('picks the mode from the configured backends', () => {
    expect(resolveConfig({ sqlite: { path: ':memory:' } }).mode).toBe('embedded');
    expect(resolveConfig({ postgres: { url: 'postgres://db/x' } }).mode).toBe('postgres');
    expect(resolveConfig({ postgres: { url: 'postgres://db/x' }, redis: { url: 'rediss://c:6380' } }).mode).toBe('hybrid');
    expect(resolveConfig({ postgres: { url: 'postgres://db/x' }, sqlite: { path: '/tmp/outbox.sqlite' } }).mode).toBe('hybrid+fallback');
    expect(resolveConfig({ postgres: { url: 'postgres://db/x' }, redis: { url: 'redis://c' }, sqlite: { path: 'o.sqlite' } }).mode).toBe('hybrid+fallback');
  });

  it("keeps SQLite durable by default; 'normal' is an opt-in", () => {
    expect(resolveConfig({ sqlite: { path: 'x' } }).sqlite).toEqual({ path: 'x', durability: 'full' });
    expect(resolveConfig({ sqlite: { path: 'x', durability: 'normal' } }).sqlite?.durability).toBe('normal');
    expect(configFromEnvironment({ SCROLLBACK_DATABASE_URL: 'postgres://db/x', SCROLLBACK_SQLITE_PATH: 'o.sqlite' })).toMatchObject({
      postgres: { url: 'postgres://db/x' },
      sqlite: { path: 'o.sqlite' },
    });
  });

  it('applies the documented defaults', () => {
    const resolved = resolveConfig({ postgres: { url: 'postgres://db/x' }, redis: { url: 'redis://c' } });
    expect(resolved.cache).toEqual({ ttlSeconds: 3600, maxMessages: 50, compressAboveBytes: 0, l1: { ttlMs: 2000, maxEntries: 10_000, consistency: 'strict' } });
    expect(resolved.redis?.commandTimeoutMs).toBe(250);
    expect(resolved.redis?.connectTimeoutMs).toBe(1000);
    expect(resolved.redis?.breaker).toEqual({
      consecutiveFailures: 5,
      windowSize: 20,
      windowMs: 10_000,
      minimumCalls: 10,
      failureRate: 0.5,
      slowCallMs: 50,
      slowCallRate: 0.2,
      probeIntervalMs: 1000,
    });
    expect(resolved.postgres).toMatchObject({ connectTimeoutMs: 3000, queryTimeoutMs: 5000 });
    expect(resolved.limits).toEqual({ maxIdLength: 256, maxContentBytes: 1048576, maxMetadataBytes: 65536, maxBatch: 1000, maxTitleLength: 1000 });
  });

  it.each([
    [{}, 'config'],
    [{ redis: { url: 'redis://c' } }, 'redis'],
    [{ postgres: { url: 'not a url' } }, 'postgres.url'],
    [{ postgres: { url: 'mysql://db/x' } }, 'postgres.url'],
    [{ postgres: { url: 'postgres://db/x' }, redis: { url: 'http://c' } }, 'redis.url'],
    [{ sqlite: { path: '' } }, 'sqlite.path'],
    [{ sqlite: { path: 'x', durability: 'fast' as 'full' } }, 'sqlite.durability'],
    [{ postgres: { url: 'postgres://db/x' }, sqlite: { path: ':memory:' } }, 'sqlite.path'],
    [{ sqlite: { path: 'x' }, cache: { maxMessages: 0 } }, 'cache.maxMessages'],
    [{ sqlite: { path: 'x' }, limits: { maxBatch: -1 } }, 'limits.maxBatch'],
    [{ postgres: { url: 'postgres://db/x' }, redis: { url: 'redis://c', connectTimeoutMs: 0 } }, 'redis.connectTimeoutMs'],
    [{ postgres: { url: 'postgres://db/x' }, redis: { url: 'redis://c', breaker: { slowCallMs: 0 } } }, 'redis.breaker.slowCallMs'],
    [{ postgres: { url: 'postgres://db/x' }, redis: { url: 'redis://c', breaker: { failureRate: 2 } } }, 'redis.breaker.failureRate'],
  ])('refuses %j naming %s', (config, field) => {
    expect(() => resolveConfig(config)).toThrow(ValidationError);
    try {
      resolveConfig(config);
    } catch (error) {
      expect(error).toMatchObject({ field });
    }
  });

  it.each([
    [{ slowMs: 10 }, 'redis.breaker.slowMs'],
    ['fast', 'redis.breaker'],
    [{ minimumCalls: '3' }, 'redis.breaker.minimumCalls'],
  ])('refuses redis.breaker %j from an untyped caller, naming %s', (breaker, field) => {
    const config = { postgres: { url: 'postgres://db/x' }, redis: { url: 'redis://c', breaker } } as unknown as StoreConfig;
    expect(() => resolveConfig(config)).toThrow(expect.objectContaining({ field }));
  });

  it('takes breaker thresholds from redis.breaker, the rest from the defaults', () => {
    const resolved = resolveConfig({ postgres: { url: 'postgres://db/x' }, redis: { url: 'redis://c', breaker: { slowCallMs: 20, slowCallRate: 0.1 } } });
    expect(resolved.redis?.breaker).toMatchObject({ slowCallMs: 20, slowCallRate: 0.1, consecutiveFailures: 5, minimumCalls: 10 });
  });

  it('takes Cluster and Sentinel URLs that list several hosts', () => {
    for (const url of ['redis+cluster://127.0.0.1:7000,127.0.0.1:7001', 'redis+sentinel://:pw@h1:26379,h2:26380/mymaster/2?sentinelPassword=s']) {
      expect(resolveConfig({ postgres: { url: 'postgres://db/x' }, redis: { url } }).redis?.url).toBe(url);
    }
    expect(() => resolveConfig({ postgres: { url: 'postgres://db/x' }, redis: { url: 'redis://h1:1,h2:2' } })).toThrow(/several hosts/);
  });

  it('never echoes a password from a malformed URL', () => {
    try {
      resolveConfig({ postgres: { url: 'postgres://user:hunter2@[bad' } });
      expect.unreachable();
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('hunter2');
    }
  });
});
