/**
 * The Redis server's own view (INFO): memory, evictions, ops/s, keyspace hits and misses. These
 * are server-wide counters, not the store's hit ratio; the console labels them so.
 */
import { BackendUnavailableError } from '../../errors/errors.js';
import type { RedisServerInfo } from '../../metrics/types.js';
import type { RedisClient } from './redis-client.js';

/** Parses the text INFO returns (`key:value` lines, `# Section` headers). */
export function parseServerInfo(text: string): RedisServerInfo {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  const num = (key: string): number => {
    const value = Number(fields.get(key));
    return Number.isFinite(value) ? value : 0;
  };
  return {
    version: fields.get('redis_version') ?? 'unknown',
    usedMemoryBytes: num('used_memory'),
    maxMemoryBytes: num('maxmemory'),
    evictedKeys: num('evicted_keys'),
    expiredKeys: num('expired_keys'),
    keyspaceHits: num('keyspace_hits'),
    keyspaceMisses: num('keyspace_misses'),
    opsPerSec: num('instantaneous_ops_per_sec'),
    connectedClients: num('connected_clients'),
    uptimeSeconds: num('uptime_in_seconds'),
  };
}

/** INFO of the server the client talks to (for a Cluster: one node, whichever answers). */
export async function fetchServerInfo(client: RedisClient): Promise<RedisServerInfo> {
  try {
    return parseServerInfo(await client.info());
  } catch (error) {
    throw new BackendUnavailableError('redis', 'INFO failed', { cause: error });
  }
}
