/** live.snapshot, traffic.* and playground.send. */
import { hostname } from 'node:os';
import type { ConversationStore } from '../../store/types.js';
import type { LiveStatsPayload, TrafficStatus } from '../api.js';
import type { ConsoleContext, Handlers } from '../context.js';
import { describeConnectionError } from '../connection-errors.js';
import { playgroundTurn } from '../playground.js';

/**
 * One stats payload; a Redis outage shows as `serverError`, the local stats still arrive. The
 * instances this console process published itself are left out: `local` already shows them, and
 * listing them again made the console appear twice.
 */
export async function liveSnapshot(environmentId: string, store: ConversationStore, traffic: TrafficStatus, self = { hostname: hostname(), pid: process.pid }): Promise<LiveStatsPayload> {
  let instances: LiveStatsPayload['instances'] = [];
  let server: LiveStatsPayload['server'] = null;
  let serverError: string | null = null;
  const checking = store.health().catch(() => null);
  try {
    const [published, info] = await Promise.all([store.cache.instances(), store.cache.serverInfo()]);
    instances = published.filter((instance) => instance.pid !== self.pid || instance.hostname !== self.hostname);
    server = info;
  } catch (error) {
    serverError = describeConnectionError('redis', error, 'the configured server').message;
  }
  return { environmentId, at: new Date().toISOString(), mode: store.mode, local: store.stats(), instances, server, serverError, health: await checking, traffic };
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
