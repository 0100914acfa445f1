import type { ApiOutput } from '../../api/contract.js';
import { describeError } from '../../api/api-error.js';
import type { ConversationState, StoredEvent } from '../../../core/events/types.js';
import type { LoadStatus, SliceCreator } from '../../state/types.js';

export type ConversationAction =
  | { kind: 'rename'; title: string }
  | { kind: 'redact'; messageId: string; mode: 'mask' | 'purge'; reason: string }
  | { kind: 'delete'; hard: boolean }
  | { kind: 'evict' }
  | { kind: 'warm' };

export const EVENTS_PAGE = 500;

export interface ConversationDetail {
  conversationId: string | null;
  info: ApiOutput<'conversation.get'> | null;
  state: ConversationState | null;
  events: StoredEvent[];
  eventsHead: number;
  status: LoadStatus;
  error: string | null;
  cache: ApiOutput<'cache.inspect'> | null;
  cacheStatus: LoadStatus;
  cacheError: string | null;
  busy: ConversationAction['kind'] | null;
  /** Last refused or failed action, shown next to the buttons. */
  actionError: string | null;
}

export interface ConversationSlice {
  conversation: ConversationDetail;
  openConversation(conversationId: string): Promise<void>;
  refreshCache(): Promise<void>;
  loadMoreEvents(): Promise<void>;
  runConversationAction(action: ConversationAction): Promise<boolean>;
  closeConversation(): void;
}

const empty = (): ConversationDetail => ({
  conversationId: null,
  info: null,
  state: null,
  events: [],
  eventsHead: 0,
  status: 'idle',
  error: null,
  cache: null,
  cacheStatus: 'idle',
  cacheError: null,
  busy: null,
  actionError: null,
});

export const createConversationSlice: SliceCreator<ConversationSlice> = (set, get, { api }) => {
  const patch = (p: Partial<ConversationDetail>) => set((s) => ({ conversation: { ...s.conversation, ...p } }));
  const current = (conversationId: string) => get().conversation.conversationId === conversationId;

  return {
    conversation: empty(),

    async openConversation(conversationId) {
      const environmentId = get().environmentId;
      if (environmentId === null) return;
      const reveal = get().revealed;
      set({ conversation: { ...empty(), conversationId, status: 'loading', cacheStatus: 'loading' } });
      const ref = { environmentId, conversationId, reveal };
      void get().refreshCache();
      try {
        const info = await api.call('conversation.get', ref);
        const [state, page] = await Promise.all([
          api.call('conversation.stateAt', { ...ref, version: info.version }),
          api.call('conversation.read', { ...ref, limit: EVENTS_PAGE }),
        ]);
        if (!current(conversationId)) return;
        patch({ info, state, events: page.events, eventsHead: page.version, status: 'ready' });
      } catch (error) {
        if (!current(conversationId)) return;
        patch({ status: 'error', error: describeError(error) });
      }
    },

    async refreshCache() {
      const { conversationId } = get().conversation;
      const environmentId = get().environmentId;
      if (conversationId === null || environmentId === null) return;
      patch({ cacheStatus: 'loading', cacheError: null });
      try {
        const cache = await api.call('cache.inspect', { environmentId, conversationId, reveal: get().revealed });
        if (!current(conversationId)) return;
        patch({ cache, cacheStatus: 'ready' });
      } catch (error) {
        if (!current(conversationId)) return;
        patch({ cacheStatus: 'error', cacheError: describeError(error) });
      }
    },

    async loadMoreEvents() {
      const { conversationId, events, eventsHead } = get().conversation;
      const environmentId = get().environmentId;
      const last = events.at(-1);
      if (conversationId === null || environmentId === null || !last || last.version >= eventsHead) return;
      try {
        const page = await api.call('conversation.read', {
          environmentId,
          conversationId,
          fromVersion: last.version + 1,
          limit: EVENTS_PAGE,
          reveal: get().revealed,
        });
        if (!current(conversationId)) return;
        set((s) => ({ conversation: { ...s.conversation, events: s.conversation.events.concat(page.events), eventsHead: page.version } }));
      } catch (error) {
        patch({ actionError: describeError(error) });
      }
    },

    async runConversationAction(action) {
      const { conversationId } = get().conversation;
      const environmentId = get().environmentId;
      if (conversationId === null || environmentId === null) return false;
      const ref = { environmentId, conversationId };
      patch({ busy: action.kind, actionError: null });
      try {
        switch (action.kind) {
          case 'rename':
            await api.call('conversation.rename', { ...ref, title: action.title });
            break;
          case 'redact':
            await api.call('conversation.redact', { ...ref, messageId: action.messageId, mode: action.mode, reason: action.reason });
            break;
          case 'delete':
            await api.call('conversation.delete', { ...ref, hard: action.hard });
            break;
          case 'evict':
            await api.call('cache.evict', ref);
            break;
          case 'warm':
            await api.call('cache.warm', ref);
            break;
        }
        patch({ busy: null });
        get().notify('success', ACTION_DONE[action.kind]);
        if (action.kind === 'delete' && action.hard) {
          get().closeConversation();
        } else if (action.kind === 'evict' || action.kind === 'warm') {
          await get().refreshCache();
        } else {
          await get().openConversation(conversationId);
        }
        return true;
      } catch (error) {
        const message = describeError(error);
        patch({ busy: null, actionError: message });
        get().notify('error', message);
        return false;
      }
    },

    closeConversation() {
      set({ conversation: empty() });
    },
  };
};

const ACTION_DONE: Record<ConversationAction['kind'], string> = {
  rename: 'Conversation renamed.',
  redact: 'Message redacted.',
  delete: 'Conversation deleted.',
  evict: 'Cache entry evicted.',
  warm: 'Cache entry re-warmed from the log.',
};
