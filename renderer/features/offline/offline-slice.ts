/**
 * Offline copies: saving one from the current list (its filter or a selection), and the copies an
 * environment has, for the banner shown when that environment cannot be reached.
 */
import type { ApiInput, ApiOutput, EnvironmentView } from '../../api/contract.js';
import { ApiError, describeError } from '../../api/api-error.js';
import type { SliceCreator } from '../../state/types.js';

export interface OfflineSlice {
  /** Copies per source environment id, newest first, once asked for. */
  offlineCopies: Record<string, EnvironmentView[]>;
  loadOfflineCopies(environmentId: string): Promise<void>;
  saveOfflineCopy(input: ApiInput<'offline.save'>): Promise<ApiOutput<'offline.save'>>;
}

/** Error codes that mean the environment's servers could not be reached (not a bad request). */
export function isUnreachable(code: string | null): boolean {
  return code === 'BACKEND_UNAVAILABLE' || code === 'CONNECTION_FAILED';
}

export function errorCode(error: unknown): string | null {
  return error instanceof ApiError ? error.code : null;
}

/** "Offline copy of Production replica, saved 3 min ago, masked". */
export function describeCopy(copy: NonNullable<EnvironmentView['offlineCopyOf']>, now = Date.now()): string {
  return `Offline copy of ${copy.environmentName}, saved ${ago(copy.savedAt, now)}, ${copy.masked ? 'masked' : 'not masked'}`;
}

export function ago(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (!Number.isFinite(seconds)) return 'at an unknown time';
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} d ago`;
}

export const createOfflineSlice: SliceCreator<OfflineSlice> = (set, get, { api }) => ({
  offlineCopies: {},

  async loadOfflineCopies(environmentId) {
    try {
      const copies = await api.call('offline.list', { environmentId });
      set((s) => ({ offlineCopies: { ...s.offlineCopies, [environmentId]: copies } }));
    } catch (error) {
      // The banner only offers copies: without the list it offers none, and says why in the toast.
      set((s) => ({ offlineCopies: { ...s.offlineCopies, [environmentId]: [] } }));
      get().notify('error', `Offline copies could not be listed: ${describeError(error)}`);
    }
  },

  async saveOfflineCopy(input) {
    const result = await api.call('offline.save', input);
    set((s) => ({
      environments: { ...s.environments, items: [...s.environments.items.filter((e) => e.id !== result.environment.id), result.environment] },
      offlineCopies: { ...s.offlineCopies, [input.environmentId]: [result.environment, ...(s.offlineCopies[input.environmentId] ?? [])] },
    }));
    return result;
  },
});
