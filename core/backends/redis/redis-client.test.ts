import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors/errors.js';
import { reconnectDelay, resolveRedisOptions } from './redis-client.js';

describe('resolveRedisOptions', () => {
  it('configures a standalone client to fail fast', () => {
    const resolved = resolveRedisOptions('redis://127.0.0.1:6390/2');
    expect(resolved.kind).toBe('standalone');
    expect(resolved.options).toMatchObject({
      host: '127.0.0.1',
      port: 6390,
      db: 2,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      commandTimeout: 250,
      connectTimeout: 1000,
      lazyConnect: false,
    });
    expect(resolved.kind === 'standalone' && typeof resolved.options.retryStrategy).toBe('function');
    expect(resolved.options).not.toHaveProperty('tls');
  });

  it('applies the timeouts given', () => {
    const resolved = resolveRedisOptions('redis://h', { commandTimeoutMs: 100, connectTimeoutMs: 500 });
    expect(resolved.options).toMatchObject({ commandTimeout: 100, connectTimeout: 500, host: 'h', port: 6379 });
  });

  it('reads credentials, percent-decoded', () => {
    expect(resolveRedisOptions('redis://user:p%40ss@h:1').options).toMatchObject({ username: 'user', password: 'p@ss' });
    const passwordOnly = resolveRedisOptions('redis://:secret@h').options;
    expect(passwordOnly).toMatchObject({ password: 'secret' });
    expect(passwordOnly).not.toHaveProperty('username');
  });

  it('turns on TLS for rediss://', () => {
    expect(resolveRedisOptions('rediss://cache.example.com:6380').options).toMatchObject({
      tls: { servername: 'cache.example.com' },
      port: 6380,
    });
  });

  it('accepts bracketed IPv6 hosts', () => {
    expect(resolveRedisOptions('redis://[::1]:7000').options).toMatchObject({ host: '::1', port: 7000 });
  });

  it('builds a Cluster with the offline queue off at the top level', () => {
    const resolved = resolveRedisOptions('rediss+cluster://:pw@n1:7000,n2:7001,n3');
    if (resolved.kind !== 'cluster') throw new Error(`expected cluster, got ${resolved.kind}`);
    expect(resolved.nodes).toEqual([
      { host: 'n1', port: 7000 },
      { host: 'n2', port: 7001 },
      { host: 'n3', port: 6379 },
    ]);
    expect(resolved.options.enableOfflineQueue).toBe(false);
    expect(typeof resolved.options.clusterRetryStrategy).toBe('function');
    expect(resolved.options.redisOptions).toMatchObject({
      commandTimeout: 250,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      password: 'pw',
      tls: {},
    });
    expect(resolved.options.redisOptions).not.toHaveProperty('enableOfflineQueue');
  });

  it('builds a Sentinel client from the host list and master name', () => {
    const resolved = resolveRedisOptions('redis+sentinel://:pw@s1:26379,s2/mymaster/1?sentinelPassword=sp');
    expect(resolved.kind).toBe('sentinel');
    expect(resolved.options).toMatchObject({
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
      ],
      name: 'mymaster',
      role: 'master',
      db: 1,
      password: 'pw',
      sentinelPassword: 'sp',
      enableOfflineQueue: false,
      commandTimeout: 250,
    });
  });

  it.each([
    ['', 'empty'],
    ['http://h:6379', 'wrong scheme'],
    ['redis://', 'no host'],
    ['redis://h:0', 'port 0'],
    ['redis://h:70000', 'port out of range'],
    ['redis://h:abc', 'non-numeric port'],
    ['redis://h1,h2', 'several hosts without cluster'],
    ['redis://h/db', 'non-numeric db'],
    ['redis+sentinel://s1', 'sentinel without master'],
    ['redis+cluster://n1/0', 'cluster with a db'],
    ['redis://::1:6379', 'unbracketed IPv6'],
    ['redis://h?foo=bar', 'unknown query parameter'],
    ['redis://u:%zz@h', 'bad percent-encoding'],
  ])('rejects %j (%s) with a ValidationError naming redis.url', (url) => {
    const error = (() => {
      try {
        resolveRedisOptions(url);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('redis.url');
  });

  it('never repeats the password in an error', () => {
    try {
      resolveRedisOptions('redis://user:hunter2@h:99999');
      expect.unreachable();
    } catch (e) {
      expect(String((e as Error).message)).not.toContain('hunter2');
    }
  });

  it('rejects non-positive timeouts', () => {
    expect(() => resolveRedisOptions('redis://h', { commandTimeoutMs: 0 })).toThrow(ValidationError);
  });
});

describe('reconnectDelay', () => {
  it('backs off exponentially and caps at 2 s, forever', () => {
    expect(reconnectDelay(1)).toBe(50);
    expect(reconnectDelay(2)).toBe(100);
    expect(reconnectDelay(5)).toBe(800);
    expect(reconnectDelay(100)).toBe(2000);
    expect(reconnectDelay(1_000_000)).toBe(2000);
  });
});
