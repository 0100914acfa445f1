import { describe, expect, it } from 'vitest';
import type { LiveStatsPayload } from '../../api/contract.js';
import { appended, stats } from '../../testing/fixtures.js';
import { storeWith } from '../../testing/fake-api.js';
import { LiveMetrics, LOCAL_SOURCE } from './live-metrics.js';
import { healthOf, TAIL_CAPACITY } from './live-slice.js';

const traffic = { running: false, ratePerSecond: 0, endsAt: null, turns: 0, errors: 0 };
function sample(at: number, local = stats(), patch: Partial<LiveStatsPayload> = {}): LiveStatsPayload {
  return { environmentId: 'env-1', at: new Date(at * 1000).toISOString(), mode: 'hybrid', local, instances: [], server: null, serverError: null, health: null, traffic, ...patch } as LiveStatsPayload;
}

describe('live slice', () => {
  it('keeps the newest events first and never more than the capacity', () => {
    const { store } = storeWith({});
    for (let batch = 0; batch < 30; batch += 1) {
      const events = Array.from({ length: 25 }, (_, i) => appended(batch * 25 + i + 1));
      store.getState().handleLiveMessage({ type: 'events', environmentId: 'env-1', events, masked: false });
    }
    const tail = store.getState().live.tail;
    expect(tail).toHaveLength(TAIL_CAPACITY);
    expect(tail[0]?.version).toBe(750);
    expect(tail.at(-1)?.version).toBe(251);
  });

  it('ignores messages for another environment and counts events while paused', () => {
    const { store } = storeWith({});
    store.getState().handleLiveMessage({ type: 'events', environmentId: 'other', events: [appended(1)], masked: false });
    store.getState().setLivePaused(true);
    store.getState().handleLiveMessage({ type: 'events', environmentId: 'env-1', events: [appended(2)], masked: false, dropped: 3 });
    expect(store.getState().live.tail).toHaveLength(0);
    expect(store.getState().live.dropped).toBe(4);
  });

  it('turns stats samples into chart series and bumps the tick', () => {
    const { store } = storeWith({});
    store.getState().handleLiveMessage({ type: 'stats', ...sample(100, stats({ hits: 10, misses: 10, appends: 5 })) });
    store.getState().handleLiveMessage({ type: 'stats', ...sample(102, stats({ hits: 40, misses: 10, appends: 9, ok: 4 })) });
    expect(store.getState().live.tick).toBe(2);
    const local = store.getState().liveMetrics.sources.get(LOCAL_SOURCE)!;
    expect(local.hitRatio.last(1)).toBe(1); // 30 hits, 0 misses in the interval
    expect(local.throughput.last(1)).toBe(2); // 4 appends over 2 s
    expect(local.scripts.last(0)).toBe(2);
    expect(local.latency.last(5)).toBe(6);
  });
});

describe('LiveMetrics', () => {
  it('leaves a gap when counters go backwards (instance restart)', () => {
    const metrics = new LiveMetrics(10);
    metrics.ingest(sample(1, stats({ hits: 50, misses: 50 })));
    metrics.ingest(sample(2, stats({ hits: 1, misses: 0 })));
    expect(metrics.sources.get(LOCAL_SOURCE)!.hitRatio.last(1)).toBeNull();
  });

  it('stays bounded over hours of samples and many instances', () => {
    const metrics = new LiveMetrics(60);
    for (let t = 0; t < 4 * 3600; t += 1) {
      const instances = [{ instanceId: `i-${t % 40}`, hostname: 'h', pid: 1, startedAt: '', publishedAt: '', stats: stats({ hits: t }) }];
      metrics.ingest(sample(t, stats({ hits: t, misses: t }), { instances }));
    }
    expect(metrics.sources.size).toBeLessThanOrEqual(16);
    expect(metrics.sources.has(LOCAL_SOURCE)).toBe(true);
    expect(metrics.sources.get(LOCAL_SOURCE)!.hitRatio.length).toBe(60);
  });

  it('derives server series from INFO counters', () => {
    const metrics = new LiveMetrics(10);
    const info = { version: '7', usedMemoryBytes: 2 * 1024 * 1024, maxMemoryBytes: 0, evictedKeys: 0, expiredKeys: 0, keyspaceHits: 0, keyspaceMisses: 0, opsPerSec: 12, connectedClients: 1, uptimeSeconds: 1 };
    metrics.ingest(sample(1, stats(), { server: info }));
    metrics.ingest(sample(3, stats(), { server: { ...info, evictedKeys: 10, keyspaceHits: 3, keyspaceMisses: 1 } }));
    const s = metrics.server.series;
    expect([s.last(0), s.last(1), s.last(2), s.last(3)]).toEqual([2, 5, 0.75, 12]);
  });

  it('charts each tier as a share of all reads, and a latency window with no call as a gap', () => {
    const metrics = new LiveMetrics(10);
    const idle = stats();
    idle.tiers.log.latencyMs = { p50: 0, p95: 0, p99: 0 };
    metrics.ingest(sample(1, { ...idle, tiers: { ...idle.tiers, redis: { hits: 0, misses: 0, errors: 0, latencyMs: { p50: 0, p95: 0, p99: 0 } } } }));
    const local = metrics.sources.get(LOCAL_SOURCE)!;
    expect([local.latency.last(2), local.latency.last(5)]).toEqual([null, null]);
    metrics.ingest(sample(2, stats({ hits: 3, misses: 1, logHits: 1 })));
    // 3 reads from Redis and 1 from the log (the Redis miss) out of 4.
    expect([local.hitRatio.last(1), local.hitRatio.last(2)]).toEqual([0.75, 0.25]);
  });

  it('counts failed simulated turns per second from the same sample as the traffic panel', () => {
    const metrics = new LiveMetrics(10);
    const run = { running: true, ratePerSecond: 10, endsAt: null, turns: 10, errors: 2 };
    metrics.ingest(sample(1, stats(), { traffic: run }));
    metrics.ingest(sample(3, stats(), { traffic: { ...run, errors: 8 } }));
    expect(metrics.sources.get(LOCAL_SOURCE)!.throughput.last(3)).toBe(3);
  });
});

describe('healthOf', () => {
  it('reports the worst backend, counting an open breaker as degraded', () => {
    const base = stats();
    expect(healthOf({ ...base, backends: { postgres: { status: 'up' }, redis: { status: 'up', breaker: 'closed' } } }, 't').status).toBe('up');
    const open = healthOf({ ...base, backends: { postgres: { status: 'up' }, redis: { status: 'up', breaker: 'open' } } }, 't');
    expect(open).toEqual({ status: 'degraded', detail: 'postgres up · redis up (breaker open)', checkedAt: 't' });
    expect(healthOf({ ...base, backends: { postgres: { status: 'down' } } }, 't').status).toBe('down');
    expect(healthOf({ ...base, backends: {} }, 't').status).toBe('unknown');
    // A health check sees a hung Redis that the breaker, with no traffic, has not noticed.
    const hung = healthOf({ ...base, backends: { postgres: { status: 'up' }, redis: { status: 'up', breaker: 'closed' } } }, 't', {
      status: 'degraded',
      backends: { postgres: { status: 'up', latencyMs: 1 }, redis: { status: 'down', latencyMs: 2000, error: 'timeout' } },
    });
    expect(hung).toMatchObject({ status: 'degraded', detail: 'postgres up · redis down' });
  });
});
