import { describe, expect, it } from 'vitest';
import { parseServerInfo } from './server-info.js';

const SAMPLE = [
  '# Server',
  'redis_version:7.0.15',
  'uptime_in_seconds:1234',
  '',
  '# Clients',
  'connected_clients:3',
  '# Memory',
  'used_memory:1048576',
  'used_memory_human:1.00M',
  'maxmemory:0',
  '# Stats',
  'instantaneous_ops_per_sec:42',
  'expired_keys:7',
  'evicted_keys:2',
  'keyspace_hits:100',
  'keyspace_misses:25',
  '# Keyspace',
  'db0:keys=10,expires=10,avg_ttl=3599000',
  '',
].join('\r\n');

describe('parseServerInfo', () => {
  it('reads the counters the console shows', () => {
    expect(parseServerInfo(SAMPLE)).toEqual({
      version: '7.0.15',
      usedMemoryBytes: 1048576,
      maxMemoryBytes: 0,
      evictedKeys: 2,
      expiredKeys: 7,
      keyspaceHits: 100,
      keyspaceMisses: 25,
      opsPerSec: 42,
      connectedClients: 3,
      uptimeSeconds: 1234,
    });
  });

  it('defaults missing or odd fields to 0 / unknown', () => {
    expect(parseServerInfo('# Server\nused_memory:lots\n')).toMatchObject({ version: 'unknown', usedMemoryBytes: 0, keyspaceHits: 0 });
  });
});
