/** environments.* and security.status: the console's own settings, no store involved. */
import type { SecurityStatus } from '../api.js';
import type { ConsoleContext, Handlers } from '../context.js';
import { probeConnection } from '../connection-probe.js';
import { loweredProtection, type ResolvedConnection } from '../environments.js';
import { removeOfflineFile } from './offline.js';

export function securityStatus(ctx: ConsoleContext): SecurityStatus {
  const box = ctx.registry.secretBox;
  return {
    secretStorage: box.kind,
    canSavePasswords: box.canSave,
    ...(box.reason !== undefined ? { reason: box.reason } : {}),
    host: ctx.host ?? '127.0.0.1',
  };
}

export const environmentHandlers: Pick<
  Handlers,
  'security.status' | 'environments.list' | 'environments.create' | 'environments.update' | 'environments.remove' | 'environments.test'
> = {
  'security.status': async (_input, ctx) => securityStatus(ctx),
  'environments.list': async (_input, ctx) => ctx.registry.list(),
  'environments.create': async (input, ctx) => ctx.registry.create(input),
  'environments.update': async (input, ctx) => {
    const before = ctx.registry.get(input.environmentId);
    const view = ctx.registry.update(input);
    const lowered = loweredProtection(before, input);
    // An audit line: which environment lost which protection (names and kinds only, no URL).
    if (lowered.length > 0) ctx.log(`environments: protection lowered on ${JSON.stringify(before.name)} (${before.id}): ${lowered.join(', ')}; confirmed by the request`);
    // The open store may point at the old connection or run with the old guard.
    await ctx.traffic.stop(input.environmentId);
    await ctx.stores.drop(input.environmentId);
    return view;
  },
  'environments.remove': async (input, ctx) => {
    const env = ctx.registry.get(input.environmentId);
    await ctx.traffic.stop(input.environmentId);
    // Out of the registry first: whoever the drop notifies must not reopen the store.
    ctx.registry.remove(input.environmentId);
    await ctx.stores.drop(input.environmentId);
    // An offline copy's file is the console's own: it goes with the copy (any other file stays).
    if (env.offlineCopyOf !== undefined && env.connection.sqlite !== undefined) removeOfflineFile(ctx.registry.dataDir, env.connection.sqlite.path);
    return { removed: true };
  },
  'environments.test': async (input, ctx) => {
    let connection: ResolvedConnection;
    if ('connection' in input && input.environmentId !== undefined) {
      connection = ctx.registry.resolveDraft(input.environmentId, input.connection);
    } else if (!('connection' in input)) {
      connection = ctx.registry.resolve(input.environmentId);
    } else {
      connection = {};
      if (input.connection.sqlite) connection.sqlite = input.connection.sqlite;
      if (input.connection.postgres) connection.postgres = input.connection.postgres;
      if (input.connection.redis) connection.redis = input.connection.redis;
    }
    return probeConnection(connection);
  },
};
