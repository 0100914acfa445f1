/**
 * Where store instances publish their stats so the console can show every live instance: one
 * key per instance with a TTL (it vanishes when the instance stops publishing) plus a sorted set
 * of members scored by publish time. The keys sit in different Cluster slots, so they are
 * written with separate commands, never one script.
 *
 * Only publishers write. Listing never writes: a read-only store (a console browsing production)
 * must leave Redis as it found it, and pruning a shared registry with another machine's clock
 * would drop live instances. Stale members are filtered out of the answer instead, and each
 * publish prunes what has gone stale by the publisher's clock.
 */
import { BackendUnavailableError } from '../../errors/errors.js';
import type { InstanceStats } from '../../metrics/types.js';
import { INSTANCES_KEY, instanceStatsKey } from './keys.js';
import type { RedisClient } from './redis-client.js';

export interface InstanceRegistryOptions {
  client: RedisClient;
  /** How long a published snapshot lives, default 15 s; publish more often than this. */
  ttlSeconds?: number;
  /** Milliseconds clock, injected in tests. */
  now?: () => number;
}

export interface InstanceRegistry {
  publish(stats: InstanceStats): Promise<void>;
  /** Live instances, most recently published first; stale members are skipped, never written. */
  list(): Promise<InstanceStats[]>;
  /** Removes an instance this registry published, at once (on a clean shutdown); otherwise a no-op. */
  remove(instanceId: string): Promise<void>;
}

export function createInstanceRegistry(options: InstanceRegistryOptions): InstanceRegistry {
  const { client } = options;
  const ttlSeconds = options.ttlSeconds ?? 15;
  const now = options.now ?? Date.now;
  /** Instances this registry published: only those are removed on shutdown. */
  const published = new Set<string>();

  const guard = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      throw new BackendUnavailableError('redis', `${what} failed`, { cause: error });
    }
  };

  return {
    publish(stats) {
      return guard('publishing instance stats', async () => {
        published.add(stats.instanceId);
        await client.set(instanceStatsKey(stats.instanceId), JSON.stringify(stats), 'EX', ttlSeconds);
        await client.zremrangebyscore(INSTANCES_KEY, '-inf', now() - ttlSeconds * 1000);
        await client.zadd(INSTANCES_KEY, now(), stats.instanceId);
        // The set lives as long as someone keeps publishing.
        await client.expire(INSTANCES_KEY, ttlSeconds * 4);
      });
    },

    list() {
      return guard('listing instances', async () => {
        // Newest first, only members scored within the TTL; a member whose stats key expired is skipped.
        const ids = await client.zrevrangebyscore(INSTANCES_KEY, '+inf', `(${now() - ttlSeconds * 1000}`);
        const values = await Promise.all(ids.map((id) => client.get(instanceStatsKey(id))));
        const live: InstanceStats[] = [];
        for (const value of values) {
          const stats = value === null ? null : parseStats(value);
          if (stats !== null) live.push(stats);
        }
        return live;
      });
    },

    remove(instanceId) {
      if (!published.delete(instanceId)) return Promise.resolve();
      return guard('removing an instance', async () => {
        await client.del(instanceStatsKey(instanceId));
        await client.zrem(INSTANCES_KEY, instanceId);
      });
    },
  };
}

function parseStats(text: string): InstanceStats | null {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return null;
    const v = value as Record<string, unknown>;
    const ok =
      typeof v.instanceId === 'string' &&
      typeof v.hostname === 'string' &&
      typeof v.pid === 'number' &&
      typeof v.startedAt === 'string' &&
      typeof v.publishedAt === 'string' &&
      typeof v.stats === 'object' &&
      v.stats !== null;
    return ok ? (value as InstanceStats) : null;
  } catch {
    return null;
  }
}
