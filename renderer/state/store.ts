/** The one Zustand store: every feature slice, combined once. */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { createUiSlice } from '../features/ui/ui-slice.js';
import { createEnvironmentsSlice } from '../features/environments/environments-slice.js';
import { createConversationsSlice } from '../features/conversations/conversations-slice.js';
import { createConversationSlice } from '../features/conversation/conversation-slice.js';
import { createReplaySlice } from '../features/replay/replay-slice.js';
import { createLiveSlice } from '../features/live/live-slice.js';
import { createPlaygroundSlice } from '../features/playground/playground-slice.js';
import { createOfflineSlice } from '../features/offline/offline-slice.js';
import type { AppState, StoreDeps } from './types.js';

export type AppStore = StoreApi<AppState>;

export function createAppStore(deps: StoreDeps): AppStore {
  return createStore<AppState>()((set, get) => ({
    ...createUiSlice(set, get, deps),
    ...createEnvironmentsSlice(set, get, deps),
    ...createConversationsSlice(set, get, deps),
    ...createConversationSlice(set, get, deps),
    ...createReplaySlice(set, get, deps),
    ...createLiveSlice(set, get, deps),
    ...createPlaygroundSlice(set, get, deps),
    ...createOfflineSlice(set, get, deps),
  }));
}
