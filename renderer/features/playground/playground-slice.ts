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
  /** Stops waiting for the turn in flight. */
  cancelPlayground(): void;
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

/** A person's reason to fix the responder settings before anything is sent; null when they are usable. */
export function responderProblem(responder: ResponderConfig): string | null {
  if (responder.kind === 'scripted') return null;
  if (responder.baseUrl.trim() === '') return 'Enter the endpoint’s base URL, for example http://127.0.0.1:11434/v1.';
  try {
    const url = new URL(responder.baseUrl.trim());
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'The base URL must start with http:// or https://.';
  } catch {
    return 'The base URL is not a valid address, for example http://127.0.0.1:11434/v1.';
  }
  if (responder.model.trim() === '') return 'Enter a model name, for example llama3.1: the endpoint needs to know which model to run.';
  return null;
}

export const createPlaygroundSlice: SliceCreator<PlaygroundSlice> = (set, get, { api }) => {
  const patch = (p: Partial<PlaygroundState>) => set((s) => ({ playground: { ...s.playground, ...p } }));
  let inFlight: AbortController | null = null;
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
      const problem = responderProblem(responder);
      if (problem !== null) {
        patch({ error: problem });
        return false;
      }
      const controller = new AbortController();
      inFlight = controller;
      patch({ sending: true, error: null });
      try {
        const turn = await api.call(
          'playground.send',
          {
          environmentId,
          ...(conversationId === null ? {} : { conversationId }),
          content,
          responder:
            responder.kind === 'scripted'
              ? { kind: 'scripted' }
              : { kind: 'openai', baseUrl: responder.baseUrl.trim(), model: responder.model.trim(), ...(responder.apiKey ? { apiKey: responder.apiKey } : {}) },
          },
          { signal: controller.signal },
        );
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
        if (controller.signal.aborted) return false;
        patch({ sending: false, error: describeError(error) });
        return false;
      } finally {
        if (inFlight === controller) inFlight = null;
      }
    },

    cancelPlayground() {
      if (inFlight === null) return;
      inFlight.abort();
      inFlight = null;
      patch({
        sending: false,
        error: 'Cancelled: this page stopped waiting. The console server may still finish the turn; if it does, both messages are in the conversation.',
      });
    },

    resetPlayground() {
      set((s) => ({ playground: initial(s.playground.responder) }));
    },
  };
};
