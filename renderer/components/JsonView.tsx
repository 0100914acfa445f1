import { useMemo } from 'react';
import { CopyButton } from './CopyButton.js';

/** JSON as text (never HTML), with a copy button. */
export function JsonView({ value, label }: { value: unknown; label: string }) {
  const text = useMemo(() => JSON.stringify(value, null, 2) ?? 'undefined', [value]);
  return (
    <div className="json-view">
      <div className="row" style={{ justifyContent: 'space-between', marginBottom: 4 }}>
        <span className="hint">{label}</span>
        <CopyButton text={text} label={`Copy ${label}`} />
      </div>
      <pre className="json" aria-label={label}>
        {text}
      </pre>
    </div>
  );
}
