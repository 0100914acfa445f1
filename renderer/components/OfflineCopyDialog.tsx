import { useState } from 'react';
import type { ApiInput, OfflineSaveResult } from '../api/contract.js';
import { describeError } from '../api/api-error.js';
import { useApp } from '../state/store-context.js';
import { buildListInput } from '../features/conversations/conversations-slice.js';
import { Dialog } from './Dialog.js';

const DEFAULT_LIMIT = 200;
const MAX_LIMIT = 2000;

/**
 * Saves the current list's filter into an offline copy. Masking is on by default; turning it off
 * on a masked environment needs the content revealed first (the server refuses otherwise).
 */
export function OfflineCopyDialog({ onClose }: { onClose: () => void }) {
  const environmentId = useApp((s) => s.environmentId);
  const env = useApp((s) => s.environments.items.find((e) => e.id === s.environmentId) ?? null);
  const filters = useApp((s) => s.conversations.filters);
  const revealed = useApp((s) => s.revealed);
  const save = useApp((s) => s.saveOfflineCopy);
  const select = useApp((s) => s.selectEnvironment);
  const [mask, setMask] = useState(true);
  const [limit, setLimit] = useState(String(DEFAULT_LIMIT));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<OfflineSaveResult | null>(null);
  if (environmentId === null || env === null) return null;

  const n = Number(limit);
  const validLimit = Number.isInteger(n) && n >= 1 && n <= MAX_LIMIT;
  const unmaskBlocked = !mask && env.masked && !revealed;

  const submit = async () => {
    const list = buildListInput(environmentId, filters, null, revealed);
    const filter: NonNullable<ApiInput<'offline.save'>['filter']> = {};
    if (list.search !== undefined) filter.search = list.search;
    if (list.userId !== undefined) filter.userId = list.userId;
    if (list.from !== undefined) filter.from = list.from;
    if (list.to !== undefined) filter.to = list.to;
    setBusy(true);
    setError(null);
    try {
      setResult(await save({ environmentId, filter, limit: n, mask, ...(revealed ? { reveal: true } : {}) }));
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  if (result !== null) {
    return (
      <Dialog title="Offline copy saved" onClose={onClose}>
        <p role="status">
          Saved {result.conversations} conversation{result.conversations === 1 ? '' : 's'} ({result.events} events
          {result.masked ? ', masked' : ', not masked'}) as “{result.environment.name}”.
        </p>
        <div className="dialog-actions">
          <button type="button" className="ghost" onClick={onClose}>
            Close
          </button>
          <button
            type="button"
            className="primary"
            onClick={() => {
              onClose();
              select(result.environment.id);
            }}
          >
            Open the copy
          </button>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog title="Save offline copy" onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (validLimit && !unmaskBlocked && !busy) void submit();
        }}
      >
        <p className="hint">
          Copies the conversations matching the current filters (newest first) from “{env.name}” into a local SQLite file, opened read-only as its own
          environment. It stays readable when “{env.name}” cannot be reached.
        </p>
        <label className="check">
          <input type="checkbox" checked={mask} onChange={(e) => setMask(e.target.checked)} />
          Mask message content in the copy
        </label>
        {unmaskBlocked ? (
          <p className="field-error" role="alert">
            “{env.name}” is masked: reveal its content first to save an unmasked copy.
          </p>
        ) : null}
        <label className="field">
          At most (conversations)
          <input type="number" min={1} max={MAX_LIMIT} value={limit} onChange={(e) => setLimit(e.target.value)} style={{ width: 120 }} />
        </label>
        {!validLimit ? <p className="field-error">Between 1 and {MAX_LIMIT}.</p> : null}
        {error !== null ? (
          <p className="field-error" role="alert">
            {error}
          </p>
        ) : null}
        <div className="dialog-actions">
          <button type="button" className="ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={!validLimit || unmaskBlocked || busy}>
            {busy ? 'Saving…' : 'Save copy'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
