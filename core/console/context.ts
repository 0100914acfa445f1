/** What every handler gets: the registry, the open stores, the traffic simulator. */
import type { z } from 'zod';
import type { ConsoleMethod, ConsoleOutputs, consoleSchemas, EnvironmentView } from './api.js';
import type { EnvironmentRegistry } from './environments.js';
import type { StorePool } from './store-pool.js';
import type { TrafficSimulator } from './traffic.js';

export interface ConsoleContext {
  registry: EnvironmentRegistry;
  stores: StorePool;
  traffic: TrafficSimulator;
  /** Replaces the built-in fetch for the OpenAI-compatible responder (tests). */
  fetch: typeof fetch;
  /** Operational lines (never content, never secrets). */
  log: (line: string) => void;
  /** The loopback address the server listens on, once it does; default 127.0.0.1. */
  host?: string;
}

export type Handler<M extends ConsoleMethod> = (
  input: z.output<(typeof consoleSchemas)[M]>,
  ctx: ConsoleContext,
) => Promise<ConsoleOutputs[M]>;

export type Handlers = { [M in ConsoleMethod]: Handler<M> };

/** Content is masked on masked environments unless the call reveals it. */
export function shouldMask(env: EnvironmentView, reveal: boolean | undefined): boolean {
  return env.masked && reveal !== true;
}
