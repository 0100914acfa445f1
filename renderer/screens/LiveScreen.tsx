import { useCallback, useEffect, useState } from 'react';
import { useApp, useLiveSocket } from '../state/store-context.js';
import { LOCAL_SOURCE, SCRIPT_OUTCOME_NAMES } from '../features/live/live-metrics.js';
import { selectCurrentEnvironment, selectReadOnlyReason } from '../features/environments/environments-selectors.js';
import { formatHash } from '../features/ui/routes.js';
import { TimeChart, type ChartSeries } from '../components/TimeChart.js';
import { Empty } from '../components/StateView.js';
import { bytes, count, ms, relativeTime } from '../components/format.js';

const pct = (v: number) => `${Math.round(v * 100)}%`;
const perSec = (v: number) => (v >= 100 ? `${Math.round(v)}/s` : `${v.toFixed(1)}/s`);
const msFmt = (v: number) => (v >= 10 ? `${Math.round(v)}ms` : `${v.toFixed(1)}ms`);
const mib = (v: number) => `${v.toFixed(1)}M`;

const HIT_SERIES: ChartSeries[] = [
  { label: 'L1', color: '#b18cf2' },
  { label: 'Redis', color: '#3fb68b' },
];
const LATENCY_SERIES: ChartSeries[] = [
  { label: 'Redis p50', color: '#3fb68b' },
  { label: 'Redis p95', color: '#3fb68b', dash: [4, 3] },
  { label: 'Redis p99', color: '#3fb68b', dash: [1, 3] },
  { label: 'Log p50', color: '#6ea8fe' },
  { label: 'Log p95', color: '#6ea8fe', dash: [4, 3] },
  { label: 'Log p99', color: '#6ea8fe', dash: [1, 3] },
];
const OPS_SERIES: ChartSeries[] = [
  { label: 'Reads', color: '#6ea8fe' },
  { label: 'Appends', color: '#3fb68b' },
];
const ERROR_SERIES: ChartSeries[] = [{ label: 'Errors', color: '#e5484d' }];
const SCRIPT_COLORS = ['#3fb68b', '#8c93a5', '#6ea8fe', '#e0a526', '#e5484d'];
const SCRIPT_SERIES: ChartSeries[] = SCRIPT_OUTCOME_NAMES.map((name, i) => ({ label: name, color: SCRIPT_COLORS[i]! }));
const SERVER_MEM: ChartSeries[] = [{ label: 'Used memory (MiB)', color: '#b18cf2' }];
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
          {count(traffic.turns)} turns, {count(traffic.errors)} errors · {traffic.running ? 'ends' : 'ended'} {relativeTime(traffic.endsAt)}
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
  const hitData = useCallback(() => source?.hitRatio.toArrays() ?? [[], [], []], [source]);
  const latencyData = useCallback(() => source?.latency.toArrays() ?? [[]], [source]);
  const opsData = useCallback(() => (source ? pick(source.throughput.toArrays(), [0, 1]) : [[]]), [source]);
  const errorData = useCallback(() => (source ? pick(source.throughput.toArrays(), [2]) : [[]]), [source]);
  const scriptData = useCallback(() => source?.scripts.toArrays() ?? [[]], [source]);
  const serverMem = useCallback(() => pick(metrics.server.series.toArrays(), [0]), [metrics]);
  const serverRate = useCallback(() => pick(metrics.server.series.toArrays(), [3, 1]), [metrics]);
  const serverHit = useCallback(() => pick(metrics.server.series.toArrays(), [2]), [metrics]);
  const latest = source?.latest;
  const server = metrics.server.latest;

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
            <div className="stat-card">
              <span className="stat-label">Redis hit ratio</span>
              <span className="stat-value">{source?.hitRatio.last(1) != null ? pct(source.hitRatio.last(1)!) : '—'}</span>
            </div>
            <div className="stat-card">
              <span className="stat-label">Reads/s</span>
              <span className="stat-value">{source?.throughput.last(0) != null ? perSec(source.throughput.last(0)!) : '—'}</span>
            </div>
            <div className="stat-card">
              <span className="stat-label">Appends (total)</span>
              <span className="stat-value">{latest ? count(latest.appends) : '—'}</span>
            </div>
            <div className="stat-card">
              <span className="stat-label">Log p99</span>
              <span className="stat-value">{latest ? ms(latest.tiers.log.latencyMs.p99) : '—'}</span>
            </div>
            <div className="stat-card">
              <span className="stat-label">Backends</span>
              <span className="stat-value small">
                {latest
                  ? Object.entries(latest.backends).map(([name, b]) => (
                      <span key={name} className={`badge ${b.status === 'up' ? 'ok' : b.status === 'degraded' ? 'warn' : 'danger'}`}>
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
        <h2 className="section-title">Store metrics <span className="hint">— as recorded by {source?.label ?? 'this console'}</span></h2>
        <div className="chart-grid">
          <TimeChart title="Hit ratio per tier" series={HIT_SERIES} data={hitData} tick={tick} format={pct} yRange={[0, 1]} />
          <TimeChart title="Latency p50 / p95 / p99" series={LATENCY_SERIES} data={latencyData} tick={tick} format={msFmt} />
          <TimeChart title="Operations per second" series={OPS_SERIES} data={opsData} tick={tick} format={perSec} />
          <TimeChart title="Errors per second" series={ERROR_SERIES} data={errorData} tick={tick} format={perSec} />
          <TimeChart title="Cache script outcomes per second" series={SCRIPT_SERIES} data={scriptData} tick={tick} format={perSec} />
        </div>
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
          <p className="hint">No Redis on this environment{live.mode === 'embedded' ? ' (embedded SQLite mode)' : ''}.</p>
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
