/** live.snapshot, traffic.* and playground.send. */
import type { ConversationStore } from '../../store/types.js';
import type { LiveStatsPayload, TrafficStatus } from '../api.js';
import type { ConsoleContext, Handlers } from '../context.js';
import { describeConnectionError } from '../connection-errors.js';
import { playgroundTurn } from '../playground.js';

/** One stats payload; a Redis outage shows as `serverError`, the local stats still arrive. */
export async function liveSnapshot(environmentId: string, store: ConversationStore, traffic: TrafficStatus): Promise<LiveStatsPayload> {
  let instances: LiveStatsPayload['instances'] = [];
  let server: LiveStatsPayload['server'] = null;
  let serverError: string | null = null;
  try {
    [instances, server] = await Promise.all([store.cache.instances(), store.cache.serverInfo()]);
  } catch (error) {
    serverError = describeConnectionError('redis', error, 'the configured server').message;
  }
  return { environmentId, at: new Date().toISOString(), mode: store.mode, local: store.stats(), instances, server, serverError, traffic };
}

export async function snapshotFor(ctx: ConsoleContext, environmentId: string): Promise<LiveStatsPayload> {
  const store = await ctx.stores.get(environmentId);
  return liveSnapshot(environmentId, store, ctx.traffic.status(environmentId));
}

export const liveHandlers: Pick<Handlers, 'live.snapshot' | 'traffic.start' | 'traffic.stop' | 'traffic.status' | 'playground.send'> = {
  'live.snapshot': async (input, ctx) => snapshotFor(ctx, input.environmentId),
  'traffic.start': async (input, ctx) => ctx.traffic.start(input.environmentId, input.ratePerSecond, input.seconds),
  'traffic.stop': async (input, ctx) => ctx.traffic.stop(input.environmentId),
  'traffic.status': async (input, ctx) => ctx.traffic.status(input.environmentId),
  'playground.send': async (input, ctx) => {
    const store = await ctx.stores.get(input.environmentId);
    return playgroundTurn(store, input, ctx.fetch);
  },
};
