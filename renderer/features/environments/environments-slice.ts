import type { ApiInput, EnvironmentTestResult, EnvironmentView, SecurityStatus } from '../../api/contract.js';
import { describeError } from '../../api/api-error.js';
import type { LoadStatus, SliceCreator } from '../../state/types.js';

export type EnvironmentDraft = ApiInput<'environments.create'>;
export type EnvironmentTestTarget = ApiInput<'environments.test'>;

export interface EnvironmentTestState {
  running: boolean;
  result: EnvironmentTestResult | null;
  error: string | null;
}

export interface EnvironmentsSlice {
  environments: { items: EnvironmentView[]; status: LoadStatus; error: string | null };
  security: SecurityStatus | null;
  /** Connection tests by key: an environment id, or 'draft' for the form being edited. */
  environmentTests: Record<string, EnvironmentTestState>;
  loadEnvironments(): Promise<void>;
  /** Creates (id null) or updates; throws ApiError so the form can point at the field. */
  /** `confirmLowering`: the user agreed to move off production or lift read-only (updates only). */
  saveEnvironment(id: string | null, draft: EnvironmentDraft, options?: { confirmLowering?: boolean }): Promise<EnvironmentView>;
  removeEnvironment(id: string): Promise<void>;
  testEnvironment(key: string, target: EnvironmentTestTarget): Promise<void>;
  /** Drops a test result nobody shows any more (a closed dialog's). */
  forgetEnvironmentTest(key: string): void;
}

export const createEnvironmentsSlice: SliceCreator<EnvironmentsSlice> = (set, get, { api }) => ({
  environments: { items: [], status: 'idle', error: null },
  security: null,
  environmentTests: {},

  async loadEnvironments() {
    set((s) => ({ environments: { ...s.environments, status: 'loading', error: null } }));
    try {
      const [items, security] = await Promise.all([
        api.call('environments.list', {}),
        api.call('security.status', {}).catch(() => null),
      ]);
      set({ environments: { items, status: 'ready', error: null }, security });
      const current = get().environmentId;
      if (current === null || !items.some((e) => e.id === current)) {
        const preferred = items.find((e) => e.kind === 'local') ?? items[0];
        get().selectEnvironment(preferred?.id ?? null);
      }
    } catch (error) {
      set((s) => ({ environments: { ...s.environments, status: 'error', error: describeError(error) } }));
    }
  },

  async saveEnvironment(id, draft, options) {
    const saved =
      id === null
        ? await api.call('environments.create', draft)
        : await api.call('environments.update', {
            environmentId: id,
            ...draft,
            ...(options?.confirmLowering === true ? { confirm: 'lower-protection' as const } : {}),
          });
    set((s) => {
      const exists = s.environments.items.some((e) => e.id === saved.id);
      const items = exists ? s.environments.items.map((e) => (e.id === saved.id ? saved : e)) : [...s.environments.items, saved];
      return { environments: { ...s.environments, items } };
    });
    return saved;
  },

  async removeEnvironment(id) {
    await api.call('environments.remove', { environmentId: id });
    set((s) => ({ environments: { ...s.environments, items: s.environments.items.filter((e) => e.id !== id) } }));
    if (get().environmentId === id) {
      const next = get().environments.items[0];
      get().selectEnvironment(next?.id ?? null);
    }
  },

  forgetEnvironmentTest(key) {
    set((s) => {
      const { [key]: _dropped, ...rest } = s.environmentTests;
      return { environmentTests: rest };
    });
  },

  async testEnvironment(key, target) {
    set((s) => ({ environmentTests: { ...s.environmentTests, [key]: { running: true, result: null, error: null } } }));
    try {
      const result = await api.call('environments.test', target);
      set((s) => ({ environmentTests: { ...s.environmentTests, [key]: { running: false, result, error: null } } }));
    } catch (error) {
      set((s) => ({
        environmentTests: { ...s.environmentTests, [key]: { running: false, result: null, error: describeError(error) } },
      }));
    }
  },
});
