import { useEffect } from 'react';
import { useApp } from '../state/store-context.js';
import { selectCurrentEnvironment } from '../features/environments/environments-selectors.js';
import { ago, describeCopy, isUnreachable } from '../features/offline/offline-slice.js';

/**
 * In an offline copy: names its source and age. In an environment whose servers cannot be
 * reached (its list or connection test failed that way): offers its offline copies.
 */
export function OfflineBanner() {
  const env = useApp(selectCurrentEnvironment);
  const listErrorCode = useApp((s) => s.conversations.errorCode);
  const test = useApp((s) => (s.environmentId === null ? undefined : s.environmentTests[s.environmentId]));
  const copies = useApp((s) => (s.environmentId === null ? undefined : s.offlineCopies[s.environmentId]));
  const loadCopies = useApp((s) => s.loadOfflineCopies);
  const select = useApp((s) => s.selectEnvironment);
  const unreachable = isUnreachable(listErrorCode) || (test !== undefined && !test.running && test.result?.ok === false);

  useEffect(() => {
    // Asked for only once the environment turned out unreachable.
    if (env !== null && unreachable && copies === undefined) void loadCopies(env.id);
  }, [env, unreachable, copies, loadCopies]);

  if (env === null) return null;
  if (env.offlineCopyOf !== undefined) {
    return (
      <div className="offline-banner" role="note" data-testid="offline-copy-banner">
        <strong>{describeCopy(env.offlineCopyOf)}.</strong> {env.offlineCopyOf.conversations} conversation
        {env.offlineCopyOf.conversations === 1 ? '' : 's'}, read-only.
      </div>
    );
  }
  const newest = copies?.[0];
  if (!unreachable || newest?.offlineCopyOf === undefined) return null;
  return (
    <div className="offline-banner warn" role="alert" data-testid="offline-offer-banner">
      <strong>{env.name} is unreachable</strong> —{' '}
      <button type="button" className="button-link" onClick={() => select(newest.id)}>
        open the offline copy saved {ago(newest.offlineCopyOf.savedAt)} ({newest.offlineCopyOf.masked ? 'masked' : 'not masked'})
      </button>
      {copies !== undefined && copies.length > 1 ? <span className="hint"> · {copies.length - 1} older cop{copies.length === 2 ? 'y' : 'ies'} in Environments</span> : null}
    </div>
  );
}
