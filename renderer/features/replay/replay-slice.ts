import { describeError } from '../../api/api-error.js';
import type { ApiOutput, ImportResult } from '../../api/contract.js';
import type { ConversationState, StoredEvent } from '../../../core/events/types.js';
import type { LoadStatus, SliceCreator } from '../../state/types.js';
import { clampVersion } from './describe-change.js';

export const REPLAY_SPEEDS = [0.5, 1, 2, 4, 8] as const;
const READ_PAGE = 1000;
/** Replays beyond this many events load lazily past the first pages (the scrubber still covers all). */
const MAX_EVENTS = 20_000;
const STATE_CACHE = 64;

export interface ReplayState {
  conversationId: string | null;
  head: number;
  version: number;
  events: StoredEvent[];
  status: LoadStatus;
  error: string | null;
  state: ConversationState | null;
  stateStatus: LoadStatus;
  stateError: string | null;
  playing: boolean;
  speed: number;
  exportStatus: LoadStatus;
  importResult: ImportResult | null;
  importError: string | null;
}

export interface ReplaySlice {
  replay: ReplayState;
  openReplay(conversationId: string, version: number | null): Promise<void>;
  setReplayVersion(version: number): Promise<void>;
  stepReplay(delta: number): Promise<void>;
  setReplayPlaying(playing: boolean): void;
  setReplaySpeed(speed: number): void;
  exportReplay(): Promise<ApiOutput<'conversation.export'> | null>;
  importReplayInto(targetEnvironmentId: string, maskContent: boolean): Promise<void>;
  closeReplay(): void;
}

const empty = (): ReplayState => ({
  conversationId: null,
  head: 0,
  version: 0,
  events: [],
  status: 'idle',
  error: null,
  state: null,
  stateStatus: 'idle',
  stateError: null,
  playing: false,
  speed: 1,
  exportStatus: 'idle',
  importResult: null,
  importError: null,
});

export const createReplaySlice: SliceCreator<ReplaySlice> = (set, get, { api }) => {
  const patch = (p: Partial<ReplayState>) => set((s) => ({ replay: { ...s.replay, ...p } }));
  // States by version for the open conversation; bounded so long replays don't grow memory.
  const states = new Map<number, ConversationState>();
  let stateRequest = 0;

  return {
    replay: empty(),

    async openReplay(conversationId, version) {
      const environmentId = get().environmentId;
      if (environmentId === null) return;
      states.clear();
      const reveal = get().revealed;
      set((s) => ({ replay: { ...empty(), speed: s.replay.speed, conversationId, status: 'loading' } }));
      try {
        const events: StoredEvent[] = [];
        let head = 0;
        let from = 1;
        for (;;) {
          const page = await api.call('conversation.read', { environmentId, conversationId, fromVersion: from, limit: READ_PAGE, reveal });
          head = page.version;
          events.push(...page.events);
          const last = page.events.at(-1);
          if (!last || last.version >= head || events.length >= MAX_EVENTS) break;
          from = last.version + 1;
        }
        if (get().replay.conversationId !== conversationId) return;
        patch({ events, head, status: 'ready' });
        await get().setReplayVersion(version ?? head);
      } catch (error) {
        if (get().replay.conversationId !== conversationId) return;
        patch({ status: 'error', error: describeError(error) });
      }
    },

    async setReplayVersion(requested) {
      const { conversationId, head } = get().replay;
      const environmentId = get().environmentId;
      if (conversationId === null || environmentId === null) return;
      const version = clampVersion(requested, head);
      const cached = states.get(version);
      if (cached) {
        patch({ version, state: cached, stateStatus: 'ready', stateError: null });
        return;
      }
      const request = ++stateRequest;
      patch({ version, stateStatus: 'loading', stateError: null });
      try {
        const state = await api.call('conversation.stateAt', { environmentId, conversationId, version, reveal: get().revealed });
        if (request !== stateRequest || get().replay.conversationId !== conversationId) return;
        if (states.size >= STATE_CACHE) {
          const oldest = states.keys().next();
          if (!oldest.done) states.delete(oldest.value);
        }
        states.set(version, state);
        patch({ state, stateStatus: 'ready' });
      } catch (error) {
        if (request !== stateRequest) return;
        patch({ stateStatus: 'error', stateError: describeError(error), playing: false });
      }
    },

    async stepReplay(delta) {
      const { version, head, playing } = get().replay;
      const next = clampVersion(version + delta, head);
      if (playing && next === version) {
        patch({ playing: false });
        return;
      }
      await get().setReplayVersion(next);
    },

    setReplayPlaying(playing) {
      const { version, head } = get().replay;
      // Play from the start when already at the head, as media players do.
      if (playing && version >= head && head > 1) void get().setReplayVersion(1);
      patch({ playing });
    },

    setReplaySpeed(speed) {
      patch({ speed });
    },

    async exportReplay() {
      const { conversationId } = get().replay;
      const environmentId = get().environmentId;
      if (conversationId === null || environmentId === null) return null;
      patch({ exportStatus: 'loading' });
      try {
        const result = await api.call('conversation.export', { environmentId, conversationId, reveal: get().revealed });
        patch({ exportStatus: 'ready' });
        return result;
      } catch (error) {
        patch({ exportStatus: 'error' });
        get().notify('error', describeError(error));
        return null;
      }
    },

    async importReplayInto(targetEnvironmentId, maskContent) {
      patch({ importResult: null, importError: null });
      const exported = await get().exportReplay();
      if (!exported) {
        patch({ importError: 'Export failed: nothing was imported.' });
        return;
      }
      try {
        const importResult = await api.call('conversation.import', { environmentId: targetEnvironmentId, jsonl: exported.jsonl, maskContent });
        patch({ importResult });
        get().notify('success', `Imported ${importResult.events} events${importResult.masked ? ' (content masked)' : ''}.`);
      } catch (error) {
        patch({ importError: describeError(error) });
      }
    },

    closeReplay() {
      states.clear();
      stateRequest += 1;
      set((s) => ({ replay: { ...empty(), speed: s.replay.speed } }));
    },
  };
};
