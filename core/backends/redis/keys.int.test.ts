import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../../testing/servers/redis-server.js';
import { conversationKeys } from './keys.js';

// CLUSTER KEYSLOT needs cluster mode but no assigned slots: a bare --cluster-enabled server will do.
let server: RedisServer;
let client: Redis;

beforeAll(async () => {
  server = await startRedisServer({ args: ['--cluster-enabled', 'yes'] });
  client = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
  await client.connect();
});

afterAll(async () => {
  client.disconnect();
  await server.stop();
});

const slot = async (key: string): Promise<number> => Number(await client.call('CLUSTER', 'KEYSLOT', key));

describe('conversation keys in Redis Cluster', () => {
  it.each(['plain', 'a}b', '{x}', '{', '}', 'a:b:c', 'sb:{t}:m', 'with space', 'héllo', '💬🔥', '{}{}'])(
    'keeps all keys of %j in one slot',
    async (id) => {
      const { meta, list, fence } = conversationKeys(id);
      const slots = await Promise.all([meta, list, fence].map(slot));
      expect(new Set(slots).size).toBe(1);
    },
  );

  it('a raw id would not have been safe (the test can tell the difference)', async () => {
    // With the id itself as the tag, `a}b` hashes on `a` only, so it shares a slot with `a}c`,
    // and `{}` (empty tag) hashes the whole key, splitting a conversation across slots.
    const raw = (id: string, suffix: string) => `sb:{${id}}:${suffix}`;
    expect(await slot(raw('a}b', 'm'))).toBe(await slot(raw('a}c', 'm')));
    expect(await slot(raw('', 'm'))).not.toBe(await slot(raw('', 'l')));
  });
});
