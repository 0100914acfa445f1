import { useCallback, useEffect, useMemo, useState } from 'react';
import { useApp, useLiveSocket } from '../state/store-context.js';
import { LOCAL_SOURCE, SCRIPT_OUTCOME_NAMES } from '../features/live/live-metrics.js';
import { selectCurrentEnvironment, selectReadOnlyReason } from '../features/environments/environments-selectors.js';
import { formatHash } from '../features/ui/routes.js';
import { TimeChart, type ChartSeries } from '../components/TimeChart.js';
import { Empty } from '../components/StateView.js';
import { bytes, count, ms, relativeTime } from '../components/format.js';

const pct = (v: number) => `${Math.round(v * 100)}%`;
const perSec = (v: number) => (v >= 100 ? `${Math.round(v)}/s` : `${v.toFixed(1)}/s`);
const msFmt = (v: number) => (v >= 10 ? `${Math.round(v)} ms` : `${v.toFixed(1)} ms`);
const mib = (v: number) => `${v.toFixed(1)} MiB`;
/** A percentile or "no data": the store reports 0 when its window holds no call. */
const latencyText = (v: number | undefined) => (v === undefined || v <= 0 ? 'no data' : ms(v));

const TIER_COLOR = { l1: '#b18cf2', redis: '#3fb68b', log: '#6ea8fe' } as const;
type Tier = keyof typeof TIER_COLOR;
const TIER_LABEL: Record<Tier, string> = { l1: 'L1', redis: 'Redis', log: 'Log' };
const TIER_COLUMN: Record<Tier, number> = { l1: 0, redis: 1, log: 2 };
const PERCENTILES = [
  { name: 'p50', line: 'solid' },
  { name: 'p95', line: 'dashed' },
  { name: 'p99', line: 'dotted' },
] as const;
const OPS_SERIES: ChartSeries[] = [
  { label: 'Reads', color: '#6ea8fe' },
  { label: 'Appends', color: '#3fb68b' },
];
const ERROR_SERIES: ChartSeries[] = [
  { label: 'Store call errors', color: '#e5484d' },
  { label: 'Failed turns (simulated traffic)', color: '#e0a526', line: 'dashed' },
];
const SCRIPT_COLORS = ['#3fb68b', '#8c93a5', '#6ea8fe', '#e0a526', '#e5484d'];
const SCRIPT_SERIES: ChartSeries[] = SCRIPT_OUTCOME_NAMES.map((name, i) => ({ label: name, color: SCRIPT_COLORS[i]! }));
const SERVER_MEM: ChartSeries[] = [{ label: 'Used memory', color: '#b18cf2' }];
const SERVER_RATE: ChartSeries[] = [
  { label: 'Ops/s', color: '#6ea8fe' },
  { label: 'Evictions/s', color: '#e5484d' },
];
const SERVER_HIT: ChartSeries[] = [{ label: 'Keyspace hit ratio', color: '#e0a526' }];

function pick(arrays: Array<Array<number | null>>, columns: number[]): Array<Array<number | null>> {
  return [arrays[0] ?? [], ...columns.map((c) => arrays[c + 1] ?? [])];
}

function TrafficControl() {
  const env = useApp(selectCurrentEnvironment);
  const readOnly = useApp(selectReadOnlyReason);
  const traffic = useApp((s) => s.live.traffic);
  const error = useApp((s) => s.live.trafficError);
  const start = useApp((s) => s.startTraffic);
  const stop = useApp((s) => s.stopTraffic);
  const [rate, setRate] = useState(20);
  const [seconds, setSeconds] = useState(60);
  const blocked = readOnly ?? (env && env.kind !== 'local' ? 'Simulated traffic only runs against local environments.' : null);
  return (
    <div className="panel traffic" aria-label="Simulate traffic">
      <div className="panel-title">
        <h3>Simulate traffic</h3>
        {traffic?.running ? <span className="badge ok">running</span> : <span className="badge">idle</span>}
      </div>
      <div className="row">
        <label className="field">
          Turns per second
          <input type="number" min={1} max={200} value={rate} onChange={(e) => setRate(Math.min(200, Math.max(1, Number(e.target.value) || 1)))} style={{ width: 90 }} />
        </label>
        <label className="field">
          Seconds
          <input type="number" min={1} max={300} value={seconds} onChange={(e) => setSeconds(Math.min(300, Math.max(1, Number(e.target.value) || 1)))} style={{ width: 80 }} />
        </label>
        {traffic?.running ? (
          <button type="button" className="danger" onClick={() => void stop()}>
            Stop traffic
          </button>
        ) : (
          <button type="button" className="primary" disabled={!!blocked} onClick={() => void start(rate, seconds)} title={blocked ?? undefined}>
            Start traffic
          </button>
        )}
      </div>
      {traffic && traffic.endsAt ? (
        <p className="hint">
          {count(traffic.turns)} turns, {count(traffic.errors)} failed turns (the dashed line under Errors per second) · {traffic.running ? 'ends' : 'ended'} {relativeTime(traffic.endsAt)}
        </p>
      ) : null}
      {blocked ? <p className="readonly-note">{blocked}</p> : <p className="hint">Bounded: at most 200 turns/s for 300 s.</p>}
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function LiveScreen() {
  const environmentId = useApp((s) => s.environmentId);
  const revealed = useApp((s) => s.revealed);
  const live = useApp((s) => s.live);
  const metrics = useApp((s) => s.liveMetrics);
  const setPaused = useApp((s) => s.setLivePaused);
  const setSource = useApp((s) => s.setLiveSource);
  const clearTail = useApp((s) => s.clearLiveTail);
  const socket = useLiveSocket();
  const [hidden, setHidden] = useState(typeof document !== 'undefined' && document.hidden);

  useEffect(() => {
    const onVisibility = () => setHidden(document.hidden);
    document.addEventListener('visibilitychange', onVisibility);
    return () => document.removeEventListener('visibilitychange', onVisibility);
  }, []);

  useEffect(() => {
    if (environmentId === null) return;
    return socket.subscribe('events', environmentId, revealed);
  }, [socket, environmentId, revealed]);

  // Stats stop while the window is hidden: nothing to draw, nothing to accumulate.
  useEffect(() => {
    if (environmentId === null || hidden) return;
    return socket.subscribe('stats', environmentId);
  }, [socket, environmentId, hidden]);

  const sourceIds = [...metrics.sources.keys()];
  const source = metrics.sources.get(live.source) ?? metrics.sources.get(LOCAL_SOURCE);
  const tick = live.tick;
  const latest = source?.latest;
  const server = metrics.server.latest;
  const embedded = live.mode === 'embedded';
  // Only tiers this store has: an embedded or PostgreSQL-only store has no Redis to chart.
  const tiers: Tier[] = latest
    ? (['l1', 'redis', 'log'] as const).filter((t) => t === 'log' || latest.tiers[t] !== undefined)
    : live.mode === 'hybrid' || live.mode === 'hybrid+fallback'
      ? ['l1', 'redis', 'log']
      : ['log'];
  const tierKey = tiers.join(',');
  const cacheTiers = tiers.filter((t) => t !== 'log');
  const hasRedis = tiers.includes('redis');
  const hitSeries = useMemo<ChartSeries[]>(() => tierKey.split(',').map((t) => ({ label: TIER_LABEL[t as Tier], color: TIER_COLOR[t as Tier] })), [tierKey]);
  const latencyTiers = useMemo(() => tierKey.split(',').filter((t) => t !== 'l1') as Tier[], [tierKey]);
  const latencySeries = useMemo<ChartSeries[]>(
    () => latencyTiers.flatMap((t) => PERCENTILES.map((p) => ({ label: `${TIER_LABEL[t]} ${p.name}`, color: TIER_COLOR[t], line: p.line }))),
    [latencyTiers],
  );
  const hitData = useCallback(() => (source ? pick(source.hitRatio.toArrays(), tierKey.split(',').map((t) => TIER_COLUMN[t as Tier])) : [[]]), [source, tierKey]);
  const latencyData = useCallback(
    () => (source ? pick(source.latency.toArrays(), latencyTiers.flatMap((t) => (t === 'redis' ? [0, 1, 2] : [3, 4, 5]))) : [[]]),
    [source, latencyTiers],
  );
  const opsData = useCallback(() => (source ? pick(source.throughput.toArrays(), [0, 1]) : [[]]), [source]);
  const errorData = useCallback(() => (source ? pick(source.throughput.toArrays(), [2, 3]) : [[]]), [source]);
  const scriptData = useCallback(() => source?.scripts.toArrays() ?? [[]], [source]);
  const serverMem = useCallback(() => pick(metrics.server.series.toArrays(), [0]), [metrics]);
  const serverRate = useCallback(() => pick(metrics.server.series.toArrays(), [3, 1]), [metrics]);
  const serverHit = useCallback(() => pick(metrics.server.series.toArrays(), [2]), [metrics]);
  const cacheShare = (() => {
    if (!source || cacheTiers.length === 0) return null;
    const parts = cacheTiers.map((t) => source.hitRatio.last(TIER_COLUMN[t]));
    return parts.every((v) => v === null) ? null : parts.reduce<number>((sum, v) => sum + (v ?? 0), 0);
  })();

  return (
    <section className="screen" aria-labelledby="live-title">
      <div className="screen-header">
        <h1 id="live-title">Live</h1>
        <span className="sub">
          {live.lastStatsAt ? `updated ${relativeTime(live.lastStatsAt)}` : 'waiting for the first sample…'}
          {live.mode ? ` · mode ${live.mode}` : ''}
          {hidden ? ' · paused while hidden' : ''}
        </span>
        <span style={{ flex: 1 }} />
        <label className="row hint">
          Store instance
          <select value={source ? live.source : LOCAL_SOURCE} onChange={(e) => setSource(e.target.value)} aria-label="Store instance">
            {sourceIds.length === 0 ? <option value={LOCAL_SOURCE}>This console</option> : null}
            {sourceIds.map((id) => (
              <option key={id} value={id}>
                {metrics.sources.get(id)?.label ?? id}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="screen-body live-body">
        <div className="live-top">
          <div className="stat-cards" aria-label="Current values">
            {cacheTiers.length > 0 ? (
              <div className="stat-card">
                <span className="stat-label">Reads served by cache</span>
                <span className="stat-value">{cacheShare !== null ? pct(cacheShare) : 'no reads'}</span>
              </div>
            ) : null}
            <div className="stat-card">
              <span className="stat-label">Reads/s</span>
              <span className="stat-value">{source?.throughput.last(0) != null ? perSec(source.throughput.last(0)!) : '—'}</span>
            </div>
            <div className="stat-card">
              <span className="stat-label">Appends (total)</span>
              <span className="stat-value">{latest ? count(latest.appends) : '—'}</span>
            </div>
            <div className="stat-card">
              <span className="stat-label">Log p99 (last 30–60 s)</span>
              <span className="stat-value">{latest ? latencyText(latest.tiers.log.latencyMs.p99) : '—'}</span>
            </div>
            <div className="stat-card backends-card">
              <span className="stat-label">Backends</span>
              <span className="stat-value small">
                {latest
                  ? Object.entries(latest.backends).map(([name, b]) => (
                      <span key={name} className={`badge ${b.status === 'up' && (!b.breaker || b.breaker === 'closed') ? 'ok' : b.status === 'down' ? 'danger' : 'warn'}`}>
                        {name} {b.status}
                        {b.breaker && b.breaker !== 'closed' ? ` · breaker ${b.breaker}` : ''}
                      </span>
                    ))
                  : '—'}
              </span>
            </div>
          </div>
          <TrafficControl />
        </div>
        <h2 className="section-title">
          Store metrics <span className="hint">— as recorded by {source?.label ?? 'this console'}; hover a chart for its values</span>
        </h2>
        <div className="chart-grid">
          {cacheTiers.length > 0 ? (
            <TimeChart
              title="Hit ratio per tier"
              note="share of all reads each tier answered"
              series={hitSeries}
              data={hitData}
              tick={tick}
              format={pct}
              yRange={[0, 1]}
            />
          ) : null}
          <TimeChart
            title="Latency p50 / p95 / p99"
            note="solid p50 · dashed p95 · dotted p99 — each point covers the last 30–60 s of calls, so one slow call holds p99 up until it leaves that window"
            series={latencySeries}
            data={latencyData}
            tick={tick}
            format={msFmt}
          />
          <TimeChart title="Operations per second" note="reads and appends per second" series={OPS_SERIES} data={opsData} tick={tick} format={perSec} />
          <TimeChart
            title="Errors per second"
            note="store calls that failed (a tier's error, even when another tier answered) and failed simulated turns"
            series={ERROR_SERIES}
            data={errorData}
            tick={tick}
            format={perSec}
          />
          {hasRedis ? (
            <TimeChart title="Cache script outcomes per second" note="Redis write-through and fill results" series={SCRIPT_SERIES} data={scriptData} tick={tick} format={perSec} />
          ) : null}
        </div>
        {embedded || (!hasRedis && !server) ? (
          <p className="hint">
            No Redis on this environment{embedded ? ' (embedded SQLite mode)' : ''}: the cache tiers, their scripts and the Redis server view do not apply.
          </p>
        ) : (
          <>
            <h2 className="section-title">
              Redis server (INFO) <span className="hint">— the server’s own view: keyspace hits are not the store’s hit ratio</span>
            </h2>
            {server ? (
              <>
                <dl className="kv server-kv">
                  <dt>Version</dt>
                  <dd>{server.version}</dd>
                  <dt>Memory</dt>
                  <dd>
                    {bytes(server.usedMemoryBytes)}
                    {server.maxMemoryBytes > 0 ? ` of ${bytes(server.maxMemoryBytes)}` : ' (no maxmemory)'}
                  </dd>
                  <dt>Evicted / expired keys</dt>
                  <dd>
                    {count(server.evictedKeys)} / {count(server.expiredKeys)}
                  </dd>
                  <dt>Clients</dt>
                  <dd>{server.connectedClients}</dd>
                </dl>
                <div className="chart-grid">
                  <TimeChart title="Server memory" series={SERVER_MEM} data={serverMem} tick={tick} format={mib} />
                  <TimeChart title="Server ops/s and evictions/s" series={SERVER_RATE} data={serverRate} tick={tick} format={perSec} />
                  <TimeChart title="Server keyspace hit ratio" series={SERVER_HIT} data={serverHit} tick={tick} format={pct} yRange={[0, 1]} />
                </div>
              </>
            ) : (
              <p className="hint">Waiting for the Redis server’s INFO…</p>
            )}
          </>
        )}
        <div className="row section-title">
          <h2>Event tail</h2>
          <span className="hint">
            newest first · last {live.tail.length} kept{live.dropped > 0 ? ` · ${count(live.dropped)} not shown` : ''}
          </span>
          <span style={{ flex: 1 }} />
          <button type="button" onClick={() => setPaused(!live.paused)} aria-pressed={live.paused}>
            {live.paused ? 'Resume tail' : 'Pause tail'}
          </button>
          <button type="button" className="ghost" onClick={clearTail}>
            Clear
          </button>
        </div>
        {live.tail.length === 0 ? (
          <Empty title="No events yet">New events across all conversations appear here as they are committed.</Empty>
        ) : (
          <ol className="tail" aria-label="Event tail">
            {live.tail.map((event) => (
              <li key={`${event.conversationId}:${event.version}`} className="tail-row">
                <span className="mono hint">{event.recordedAt.slice(11, 23)}</span>
                <span className="mono">#{event.position}</span>
                <span className={`ev-type type-${event.type.replace('.', '-')}`}>{event.type}</span>
                <a className="mono tail-conv" href={formatHash({ name: 'conversation', conversationId: event.conversationId, tab: 'transcript' })}>
                  {event.conversationId}
                </a>
                <span className="mono hint">v{event.version}</span>
                <span className="tail-text">
                  {event.type === 'message.appended' ? `${event.data.role}: ${event.data.content.slice(0, 140)}` : ''}
                </span>
              </li>
            ))}
          </ol>
        )}
      </div>
    </section>
  );
}
