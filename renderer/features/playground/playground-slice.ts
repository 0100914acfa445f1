import { describeError } from '../../api/api-error.js';
import type { PlaygroundTurn } from '../../api/contract.js';
import type { TailMessage } from '../../../core/events/types.js';
import type { SliceCreator } from '../../state/types.js';

export type ResponderConfig =
  | { kind: 'scripted' }
  | { kind: 'openai'; baseUrl: string; model: string; apiKey: string };

export interface PlaygroundState {
  conversationId: string | null;
  /** Messages already in the conversation when it was opened. */
  earlier: TailMessage[];
  turns: PlaygroundTurn[];
  responder: ResponderConfig;
  sending: boolean;
  error: string | null;
}

export interface PlaygroundSlice {
  playground: PlaygroundState;
  openPlayground(conversationId: string | null): Promise<void>;
  setResponder(responder: ResponderConfig): void;
  sendPlayground(content: string): Promise<boolean>;
  resetPlayground(): void;
}

const MAX_TURNS = 200;

const initial = (responder: ResponderConfig = { kind: 'scripted' }): PlaygroundState => ({
  conversationId: null,
  earlier: [],
  turns: [],
  responder,
  sending: false,
  error: null,
});

export const createPlaygroundSlice: SliceCreator<PlaygroundSlice> = (set, get, { api }) => {
  const patch = (p: Partial<PlaygroundState>) => set((s) => ({ playground: { ...s.playground, ...p } }));
  return {
    playground: initial(),

    async openPlayground(conversationId) {
      const { responder } = get().playground;
      set({ playground: { ...initial(responder), conversationId } });
      const environmentId = get().environmentId;
      if (conversationId === null || environmentId === null) return;
      try {
        const tail = await api.call('conversation.tail', { environmentId, conversationId, n: 50, reveal: get().revealed });
        if (get().playground.conversationId === conversationId) patch({ earlier: tail.messages });
      } catch (error) {
        patch({ error: describeError(error) });
      }
    },

    setResponder(responder) {
      patch({ responder });
    },

    async sendPlayground(content) {
      const environmentId = get().environmentId;
      const { conversationId, responder, sending } = get().playground;
      if (environmentId === null || sending || content.trim() === '') return false;
      patch({ sending: true, error: null });
      try {
        const turn = await api.call('playground.send', {
          environmentId,
          ...(conversationId === null ? {} : { conversationId }),
          content,
          responder:
            responder.kind === 'scripted'
              ? { kind: 'scripted' }
              : { kind: 'openai', baseUrl: responder.baseUrl, model: responder.model, ...(responder.apiKey ? { apiKey: responder.apiKey } : {}) },
        });
        set((s) => ({
          playground: {
            ...s.playground,
            conversationId: turn.conversationId,
            turns: [...s.playground.turns, turn].slice(-MAX_TURNS),
            sending: false,
          },
        }));
        return true;
      } catch (error) {
        patch({ sending: false, error: describeError(error) });
        return false;
      }
    },

    resetPlayground() {
      set((s) => ({ playground: initial(s.playground.responder) }));
    },
  };
};
