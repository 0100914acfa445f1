import { useEffect } from 'react';
import { useApp } from '../state/store-context.js';
import { relativeTime } from '../components/format.js';

const HEALTH_INTERVAL_MS = 15_000;
import { selectCurrentEnvironment, selectMasked } from '../features/environments/environments-selectors.js';

/** Always on screen: which environment this is, in colour and in words. */
export function EnvironmentBand() {
  const env = useApp(selectCurrentEnvironment);
  const environments = useApp((s) => s.environments.items);
  const selectEnvironment = useApp((s) => s.selectEnvironment);
  const masked = useApp(selectMasked);
  const revealed = useApp((s) => s.revealed);
  const setRevealed = useApp((s) => s.setRevealed);
  const connection = useApp((s) => s.live.connection);
  const server = useApp((s) => s.server);
  const checked = useApp((s) => s.environmentHealth);
  // Without the console server nothing about the environment is known any more.
  const health = server === 'ok' ? checked : { status: 'unknown' as const, detail: 'the console server is not answering', checkedAt: checked.checkedAt };
  const checkHealth = useApp((s) => s.checkEnvironmentHealth);
  const environmentId = env?.id ?? null;

  useEffect(() => {
    if (environmentId === null) return;
    void checkHealth();
    // A light check while the window is visible; the Live screen's stats also refresh it.
    const timer = setInterval(() => {
      if (!document.hidden) void checkHealth();
    }, HEALTH_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [environmentId, checkHealth]);

  return (
    <header className="env-band" aria-label="Current environment" data-kind={env?.kind ?? 'none'}>
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        Scrollback
      </div>
      {env ? (
        <>
          <span className="env-swatch" aria-hidden="true" />
          <span className="env-name" data-testid="env-name">
            {env.name}
          </span>
          <span className={`badge kind-${env.kind}`}>{env.kind}</span>
          {env.readOnly ? (
            <span className="badge warn" title="The server refuses every write on this environment">
              read-only
            </span>
          ) : (
            <span className="badge ok">writable</span>
          )}
          {env.masked ? (
            masked ? (
              <button type="button" className="small" onClick={() => setRevealed(true)} aria-label="Reveal message content">
                Reveal content
              </button>
            ) : revealed ? (
              <button type="button" className="small danger" onClick={() => setRevealed(false)} aria-label="Mask message content">
                Content revealed · Mask again
              </button>
            ) : null
          ) : null}
        </>
      ) : (
        <span className="hint">No environment</span>
      )}
      <span className="spacer" />
      {env ? (
        <span
          className={`badge env-health health-${health.status}`}
          role="status"
          aria-label={`Environment health: ${health.status}`}
          title={`${env.name}: ${health.detail}${health.checkedAt ? ` (checked ${relativeTime(health.checkedAt)})` : ''}`}
        >
          backends {health.status === 'unknown' ? 'unknown' : health.status}
        </span>
      ) : null}
      <span
        className="row hint console-conn"
        role="status"
        aria-label={`Console connection: ${connection}`}
        title="This page's live connection to the console server (not the environment's health)"
      >
        <span className={`conn-dot ${connection}`} aria-hidden="true" />
        console {connection === 'open' ? 'connected' : connection}
      </span>
      <label className="row">
        <span className="sr-only">Environment</span>
        <select
          aria-label="Switch environment"
          value={env?.id ?? ''}
          onChange={(e) => selectEnvironment(e.target.value || null)}
        >
          {env ? null : <option value="">Choose…</option>}
          {environments.map((e) => (
            <option key={e.id} value={e.id}>
              {e.name} ({e.kind})
            </option>
          ))}
        </select>
      </label>
    </header>
  );
}
