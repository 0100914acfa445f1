import { describe, expect, it } from 'vitest';
import type { InstanceStats } from '../metrics/types.js';
import type { ConversationStore } from '../store/types.js';
import { useMemoryStores } from '../testing/memory-stores.js';
import type { TrafficStatus } from './api.js';
import { liveSnapshot } from './handlers/live.js';

const memoryStore = useMemoryStores();

describe('live snapshot', () => {
  it("leaves out the instances this console process published: 'local' already shows them", async () => {
    const store = await memoryStore();
    const published = (hostname: string, pid: number): InstanceStats => ({
      instanceId: `${hostname}-${pid}`, hostname, pid, startedAt: '', publishedAt: '', stats: store.stats(),
    });
    const listing: ConversationStore = {
      ...store,
      cache: { ...store.cache, instances: async () => [published('here', 10), published('here', 11), published('there', 10)] },
    };
    const traffic: TrafficStatus = { running: false, ratePerSecond: 0, turns: 0, errors: 0, endsAt: null };
    const snapshot = await liveSnapshot('env', listing, traffic, { hostname: 'here', pid: 10 });
    expect(snapshot.instances.map((i) => i.instanceId)).toEqual(['here-11', 'there-10']);
  });
});
