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

/**
 * The environment's health: the server's health check of each backend when it has one (a round
 * trip now, so a hung server shows without traffic), else what the store's stats last saw; an
 * open breaker counts as degraded either way.
 */
export function healthOf(stats: LiveStatsPayload['local'], at: string, checked: LiveStatsPayload['health'] = null): EnvironmentHealth {
  const names = new Set([...Object.keys(stats.backends), ...Object.keys(checked?.backends ?? {})]);
  if (names.size === 0) return { status: 'unknown', detail: 'no backend reported', checkedAt: at };
  const rank = { up: 0, degraded: 1, down: 2 } as const;
  let worst: 'up' | 'degraded' | 'down' = 'up';
  const parts = [...names].map((name) => {
    const seen = stats.backends[name as keyof typeof stats.backends];
    const probed = checked?.backends[name as keyof NonNullable<typeof checked>['backends']];
    const base = probed?.status ?? seen?.status ?? 'up';
    const breakerOpen = seen?.breaker !== undefined && seen.breaker !== 'closed';
    const status = base === 'up' && breakerOpen ? 'degraded' : base;
    if (rank[status] > rank[worst]) worst = status;
    return `${name} ${base}${breakerOpen ? ` (breaker ${seen?.breaker ?? ''})` : ''}`;
  });
  // The check's own verdict knows a cache down is 'degraded', not 'down'; a breaker may still lower 'up'.
  const overall = checked === null ? worst : checked.status === 'up' && worst !== 'up' ? 'degraded' : checked.status;
  return { status: overall, detail: parts.join(' · '), checkedAt: at };
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
        if (get().environmentId === environmentId) set({ environmentHealth: healthOf(snapshot.local, snapshot.at, snapshot.health) });
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
        environmentHealth: healthOf(message.local, message.at, message.health),
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
