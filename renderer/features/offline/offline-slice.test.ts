import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/api-error.js';
import { environment } from '../../testing/fixtures.js';
import { storeWith } from '../../testing/fake-api.js';
import { ago, describeCopy, isUnreachable } from './offline-slice.js';

const NOW = Date.parse('2026-12-04T12:00:00Z');
const copyOf = (savedAt: string, masked = true) => ({ environmentId: 'prod', environmentName: 'Production replica', savedAt, masked, conversations: 3 });

describe('offline copies', () => {
  it('describe their source and age in words', () => {
    expect(describeCopy(copyOf('2026-12-04T11:57:00Z'), NOW)).toBe('Offline copy of Production replica, saved 3 min ago, masked');
    expect(describeCopy(copyOf('2026-12-04T10:00:00Z', false), NOW)).toBe('Offline copy of Production replica, saved 2 h ago, not masked');
    expect(ago('2026-12-04T11:59:40Z', NOW)).toBe('just now');
    expect(ago('2026-12-01T12:00:00Z', NOW)).toBe('3 d ago');
  });

  it('are offered only for errors that mean the servers cannot be reached', () => {
    expect(isUnreachable('BACKEND_UNAVAILABLE')).toBe(true);
    expect(isUnreachable('CONNECTION_FAILED')).toBe(true);
    expect(isUnreachable('VALIDATION')).toBe(false);
    expect(isUnreachable(null)).toBe(false);
  });

  it('a saved copy joins the environments and the source’s copies, newest first', async () => {
    const older = environment({ id: 'copy-1', offlineCopyOf: copyOf('2026-12-04T10:00:00Z') });
    const newer = environment({ id: 'copy-2', offlineCopyOf: copyOf('2026-12-04T11:00:00Z') });
    const { store, api } = storeWith({
      'offline.list': () => [older],
      'offline.save': () => ({ environment: newer, conversations: 3, events: 12, masked: true }),
    });
    await store.getState().loadOfflineCopies('prod');
    const result = await store.getState().saveOfflineCopy({ environmentId: 'prod', filter: {}, limit: 3 });
    expect(result.conversations).toBe(3);
    expect(store.getState().offlineCopies.prod?.map((c) => c.id)).toEqual(['copy-2', 'copy-1']);
    expect(store.getState().environments.items.map((e) => e.id)).toContain('copy-2');
    expect(api.calls.at(-1)).toEqual({ method: 'offline.save', input: { environmentId: 'prod', filter: {}, limit: 3 } });
  });

  it('a failed listing offers no copy and says why', async () => {
    const { store } = storeWith({
      'offline.list': () => {
        throw new ApiError('INTERNAL', 'disk full', 500);
      },
    });
    await store.getState().loadOfflineCopies('prod');
    expect(store.getState().offlineCopies.prod).toEqual([]);
    expect(store.getState().toasts.at(-1)?.text).toMatch(/Offline copies could not be listed/);
  });
});
