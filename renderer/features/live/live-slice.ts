import { describeError } from '../../api/api-error.js';
import type { LiveServerMessage, LiveStatsPayload, TrafficStatus } from '../../api/contract.js';
import type { ConnectionState } from '../../api/live-socket.js';
import type { StoredEvent } from '../../../core/events/types.js';
import type { SliceCreator } from '../../state/types.js';
import { LiveMetrics, LOCAL_SOURCE } from './live-metrics.js';

/** Events kept in the tail; older ones fall off so hours of traffic can't grow the page. */
export const TAIL_CAPACITY = 500;

export interface LiveState {
  tail: StoredEvent[];
  /** Events the server dropped for this connection, plus ours dropped while paused. */
  dropped: number;
  paused: boolean;
  /** Bumped per stats sample: charts redraw from `liveMetrics` when it changes. */
  tick: number;
  source: string;
  connection: ConnectionState;
  lastStatsAt: string | null;
  mode: LiveStatsPayload['mode'] | null;
  traffic: TrafficStatus | null;
  trafficError: string | null;
}

/** The selected environment's own health (its backends), apart from the console's connection. */
export interface EnvironmentHealth {
  status: 'up' | 'degraded' | 'down' | 'unknown';
  /** Each backend in words, e.g. "postgres up · redis degraded (breaker open)". */
  detail: string;
  checkedAt: string | null;
}

const UNKNOWN_HEALTH: EnvironmentHealth = { status: 'unknown', detail: 'not checked yet', checkedAt: null };

export function healthOf(stats: LiveStatsPayload['local'], at: string): EnvironmentHealth {
  const entries = Object.entries(stats.backends);
  if (entries.length === 0) return { status: 'unknown', detail: 'no backend reported', checkedAt: at };
  const rank = { up: 0, degraded: 1, down: 2 } as const;
  let worst: 'up' | 'degraded' | 'down' = 'up';
  const parts = entries.map(([name, backend]) => {
    const breakerOpen = backend.breaker !== undefined && backend.breaker !== 'closed';
    const status = backend.status === 'up' && breakerOpen ? 'degraded' : backend.status;
    if (rank[status] > rank[worst]) worst = status;
    return `${name} ${backend.status}${breakerOpen ? ` (breaker ${backend.breaker})` : ''}`;
  });
  return { status: worst, detail: parts.join(' · '), checkedAt: at };
}

export interface LiveSlice {
  live: LiveState;
  environmentHealth: EnvironmentHealth;
  /** Asks the server for the selected environment's backends now. */
  checkEnvironmentHealth(): Promise<void>;
  /** Mutable ring buffers, outside immutable state on purpose (see `tick`). */
  liveMetrics: LiveMetrics;
  handleLiveMessage(message: LiveServerMessage): void;
  setLiveConnection(state: ConnectionState): void;
  setLivePaused(paused: boolean): void;
  setLiveSource(source: string): void;
  clearLiveTail(): void;
  startTraffic(ratePerSecond: number, seconds: number): Promise<void>;
  stopTraffic(): Promise<void>;
  resetLive(): void;
}

const initial = (): LiveState => ({
  tail: [],
  dropped: 0,
  paused: false,
  tick: 0,
  source: LOCAL_SOURCE,
  connection: 'closed',
  lastStatsAt: null,
  mode: null,
  traffic: null,
  trafficError: null,
});

export const createLiveSlice: SliceCreator<LiveSlice> = (set, get, { api }) => {
  const patch = (p: Partial<LiveState>) => set((s) => ({ live: { ...s.live, ...p } }));
  return {
    live: initial(),
    liveMetrics: new LiveMetrics(),
    environmentHealth: UNKNOWN_HEALTH,

    async checkEnvironmentHealth() {
      const environmentId = get().environmentId;
      if (environmentId === null) return;
      try {
        const snapshot = await api.call('live.snapshot', { environmentId });
        if (get().environmentId === environmentId) set({ environmentHealth: healthOf(snapshot.local, snapshot.at) });
      } catch (error) {
        if (get().environmentId === environmentId) set({ environmentHealth: { status: 'down', detail: `cannot check: ${describeError(error)}`, checkedAt: new Date().toISOString() } });
      }
    },

    handleLiveMessage(message) {
      if (message.type === 'subscribed' || message.type === 'heartbeat') return;
      if (message.type === 'error') {
        patch({ trafficError: message.error.message });
        return;
      }
      if (message.environmentId !== get().environmentId) return;
      if (message.type === 'events') {
        const { live } = get();
        const dropped = live.dropped + (message.dropped ?? 0);
        if (live.paused) {
          patch({ dropped: dropped + message.events.length });
          return;
        }
        // Batches arrive in commit order; the screen shows newest first.
        const newestFirst = [...message.events].reverse();
        patch({ tail: newestFirst.concat(live.tail).slice(0, TAIL_CAPACITY), dropped });
        return;
      }
      get().liveMetrics.ingest(message);
      set((s) => ({
        live: { ...s.live, tick: s.live.tick + 1, lastStatsAt: message.at, mode: message.mode, traffic: message.traffic },
        environmentHealth: healthOf(message.local, message.at),
      }));
    },

    setLiveConnection(connection) {
      patch({ connection });
    },

    setLivePaused(paused) {
      patch({ paused });
    },

    setLiveSource(source) {
      patch({ source });
    },

    clearLiveTail() {
      patch({ tail: [], dropped: 0 });
    },

    async startTraffic(ratePerSecond, seconds) {
      const environmentId = get().environmentId;
      if (environmentId === null) return;
      patch({ trafficError: null });
      try {
        patch({ traffic: await api.call('traffic.start', { environmentId, ratePerSecond, seconds }) });
      } catch (error) {
        patch({ trafficError: describeError(error) });
      }
    },

    async stopTraffic() {
      const environmentId = get().environmentId;
      if (environmentId === null) return;
      try {
        patch({ traffic: await api.call('traffic.stop', { environmentId }) });
      } catch (error) {
        patch({ trafficError: describeError(error) });
      }
    },

    resetLive() {
      get().liveMetrics.clear();
      set((s) => ({ live: { ...initial(), connection: s.live.connection }, environmentHealth: UNKNOWN_HEALTH }));
    },
  };
};
