import type { StoreApi } from 'zustand/vanilla';
import type { ApiClient } from '../api/client.js';
import type { UiSlice } from '../features/ui/ui-slice.js';
import type { EnvironmentsSlice } from '../features/environments/environments-slice.js';
import type { ConversationsSlice } from '../features/conversations/conversations-slice.js';
import type { ConversationSlice } from '../features/conversation/conversation-slice.js';
import type { ReplaySlice } from '../features/replay/replay-slice.js';
import type { LiveSlice } from '../features/live/live-slice.js';
import type { PlaygroundSlice } from '../features/playground/playground-slice.js';
import type { OfflineSlice } from '../features/offline/offline-slice.js';

export type AppState = UiSlice &
  EnvironmentsSlice &
  ConversationsSlice &
  ConversationSlice &
  ReplaySlice &
  LiveSlice &
  PlaygroundSlice &
  OfflineSlice;

export interface StoreDeps {
  api: ApiClient;
  /** Where the selected environment is remembered between launches; absent in tests. */
  storage?: Pick<Storage, 'getItem' | 'setItem'>;
}

export type SetState = StoreApi<AppState>['setState'];
export type GetState = () => AppState;
export type SliceCreator<T> = (set: SetState, get: GetState, deps: StoreDeps) => T;

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';
