import { useApp } from '../state/store-context.js';
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
      <span className="row hint" title={`Live connection: ${connection}`}>
        <span className={`conn-dot ${connection}`} aria-hidden="true" />
        {connection === 'open' ? 'live' : connection}
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
