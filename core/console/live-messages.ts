/**
 * The live channel's messages, on the WebSocket at `/api/ws`: what a client may send (validated
 * at the server) and what the server pushes. Part of the console contract (see api.ts).
 */
import { z } from 'zod';
import type { StoredEvent } from '../events/types.js';
import { environmentId, type ApiErrorBody, type LiveStatsPayload } from './api.js';

export type LiveChannel = 'events' | 'stats';

export const clientMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('subscribe'),
    channel: z.enum(['events', 'stats']),
    environmentId,
    /** Production events are masked unless revealed. */
    reveal: z.boolean().optional(),
  }),
  z.object({ type: z.literal('unsubscribe'), channel: z.enum(['events', 'stats']), environmentId }),
]);
export type LiveClientMessage = z.infer<typeof clientMessage>;

export type LiveServerMessage =
  | {
      type: 'events';
      environmentId: string;
      events: StoredEvent[];
      masked: boolean;
      /** Events dropped for this connection because it read too slowly (since the last message). */
      dropped?: number;
    }
  | ({ type: 'stats' } & LiveStatsPayload)
  /** Sent once the feed is live, and again after it recovered from an error. */
  | { type: 'subscribed'; channel: LiveChannel; environmentId: string }
  /** Sent on connect and every `intervalMs`: a client that hears nothing for longer should reconnect. */
  | { type: 'heartbeat'; intervalMs: number }
  | { type: 'error'; environmentId?: string; error: ApiErrorBody };
