/**
 * Dispatch of `POST /api/<method>`: unknown methods are refused, input is validated by the
 * method's schema, and the read-only allow-list is applied before any handler runs.
 */
import type { z } from 'zod';
import { isScrollbackError, BackendUnavailableError } from '../errors/errors.js';
import { consoleSchemas, METHOD_ACCESS, type ConsoleMethod } from './api.js';
import { ConsoleError, readOnlyError } from './console-error.js';
import { describeConnectionError } from './connection-errors.js';
import type { ConsoleContext, Handlers } from './context.js';
import { conversationHandlers } from './handlers/conversations.js';
import { environmentHandlers } from './handlers/environments.js';
import { liveHandlers } from './handlers/live.js';
import { offlineHandlers } from './handlers/offline.js';
import { transferHandlers } from './handlers/transfer.js';
import { describeTarget } from './store-pool.js';

export const handlers: Handlers = {
  ...environmentHandlers,
  ...conversationHandlers,
  ...transferHandlers,
  ...liveHandlers,
  ...offlineHandlers,
};

export function isMethod(name: string): name is ConsoleMethod {
  return Object.hasOwn(consoleSchemas, name);
}

/**
 * Fails closed: only a method explicitly marked `read` (or `console`, which touches no store)
 * passes on a read-only environment; a method missing from the table counts as a write.
 */
export function allowedOnReadOnly(method: string): boolean {
  if (!isMethod(method)) return false;
  const access = (METHOD_ACCESS as Partial<Record<string, string>>)[method];
  return access === 'read' || access === 'console';
}

export function validationError(error: z.ZodError): ConsoleError {
  const issue = error.issues[0];
  const field = issue === undefined || issue.path.length === 0 ? 'input' : issue.path.map(String).join('.');
  return new ConsoleError('VALIDATION', `${field}: ${issue?.message ?? 'invalid input'}`, { field });
}

export async function dispatch(method: string, body: unknown, ctx: ConsoleContext): Promise<unknown> {
  if (!isMethod(method)) throw new ConsoleError('NOT_FOUND', `Unknown API method “${method.slice(0, 80)}”.`);
  const parsed = consoleSchemas[method].safeParse(body ?? {});
  if (!parsed.success) throw validationError(parsed.error);
  const input = parsed.data as { environmentId?: unknown };

  let environmentId: string | undefined;
  if (METHOD_ACCESS[method] !== 'console' && typeof input.environmentId === 'string') {
    environmentId = input.environmentId;
    const env = ctx.registry.get(environmentId);
    if (env.readOnly && !allowedOnReadOnly(method)) throw readOnlyError(env.name);
  }
  const handler = handlers[method] as (input: unknown, ctx: ConsoleContext) => Promise<unknown>;
  try {
    return await handler(parsed.data, ctx);
  } catch (error) {
    throw humanise(error, environmentId, ctx);
  }
}

/** A backend outage becomes a sentence naming the server, not the driver's message. */
function humanise(error: unknown, environmentId: string | undefined, ctx: ConsoleContext): unknown {
  if (!(error instanceof BackendUnavailableError) || environmentId === undefined) return error;
  if (!isScrollbackError(error)) return error;
  let target = 'the configured server';
  try {
    const connection = ctx.registry.resolve(environmentId);
    if (error.backend === 'redis' && connection.redis) {
      const url = new URL(connection.redis.url);
      target = url.host;
    } else {
      target = describeTarget(connection).target;
    }
  } catch {
    // The environment went away meanwhile: keep the generic target.
  }
  const described = describeConnectionError(error.backend, error, target);
  return new ConsoleError('BACKEND_UNAVAILABLE', described.message, { cause: error });
}
