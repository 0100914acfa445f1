import { ApiError } from '../../api/api-error.js';
import type { SliceCreator } from '../../state/types.js';
import { parseHash, type Route } from './routes.js';

export interface Toast {
  id: number;
  kind: 'info' | 'success' | 'error';
  text: string;
}

export interface UiSlice {
  route: Route;
  environmentId: string | null;
  /** Production content is masked until revealed; the reveal lasts until the environment changes. */
  revealed: boolean;
  toasts: Toast[];
  navigate(route: Route): void;
  selectEnvironment(id: string | null): void;
  setRevealed(revealed: boolean): void;
  notify(kind: Toast['kind'], text: string): void;
  dismissToast(id: number): void;
  /**
   * What a probe of the console server found: answering; not answering (stopped); or answering
   * but refusing this page's session (restarted: every launch has a new token).
   */
  server: 'ok' | 'unreachable' | 'token-changed';
  probeServer(): Promise<void>;
}

const ENV_KEY = 'scrollback.environmentId';
const MAX_TOASTS = 4;
let nextToastId = 1;

export const createUiSlice: SliceCreator<UiSlice> = (set, get, deps) => ({
  route: typeof location === 'undefined' ? { name: 'conversations' } : parseHash(location.hash),
  environmentId: deps.storage?.getItem(ENV_KEY) ?? null,
  revealed: false,
  toasts: [],
  server: 'ok',
  async probeServer() {
    try {
      await deps.api.call('security.status', {});
      set({ server: 'ok' });
    } catch (error) {
      const code = error instanceof ApiError ? error.code : 'NETWORK';
      set({ server: code === 'UNAUTHORIZED' ? 'token-changed' : code === 'NETWORK' ? 'unreachable' : 'ok' });
    }
  },
  navigate(route) {
    set({ route });
  },
  selectEnvironment(id) {
    if (get().environmentId === id) return;
    if (id !== null) deps.storage?.setItem(ENV_KEY, id);
    set({ environmentId: id, revealed: false });
    // Everything on screen belonged to the previous environment.
    get().resetConversations();
    get().closeConversation();
    get().closeReplay();
    get().resetLive();
    get().resetPlayground();
  },
  setRevealed(revealed) {
    set({ revealed });
  },
  notify(kind, text) {
    const toast: Toast = { id: nextToastId++, kind, text };
    set((state) => ({ toasts: [...state.toasts, toast].slice(-MAX_TOASTS) }));
  },
  dismissToast(id) {
    set((state) => ({ toasts: state.toasts.filter((t) => t.id !== id) }));
  },
});
