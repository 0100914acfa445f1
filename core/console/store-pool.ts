/**
 * One open store per environment, opened on first use and closed when the profile changes or the
 * console stops. Stores of read-only environments are handed out behind a guard that lets only
 * known reads through (the second wall behind the router's allow-list).
 */
import type { StoreConfig } from '../store/config.js';
import type { CacheApi, ConversationStore } from '../store/types.js';
import { ConsoleError } from './console-error.js';
import { describeConnectionError } from './connection-errors.js';
import type { EnvironmentRegistry, ResolvedConnection } from './environments.js';

export type StoreOpener = (config: StoreConfig) => Promise<ConversationStore>;

/** Store members a read-only environment may use; anything else (including new members) is refused. */
const READ_MEMBERS: ReadonlySet<string> = new Set([
  'mode',
  'tail',
  'tailWithSource',
  'read',
  'getConversation',
  'listConversations',
  'stateAt',
  'subscribe',
  'stats',
  'health',
]);
const READ_CACHE_MEMBERS: ReadonlySet<string> = new Set(['inspect', 'instances', 'serverInfo']);

function refuse(member: string): never {
  throw new ConsoleError('READ_ONLY', `This environment is read-only: “${member}” is refused.`);
}

/** Allow-listed members pass; any other member the target has becomes a refusal. */
function guard<T extends object>(target: T, allowed: ReadonlySet<string>, prefix: string, property: string | symbol, receiver: unknown): unknown {
  const value: unknown = Reflect.get(target, property, receiver);
  if (typeof property === 'string' && allowed.has(property)) return typeof value === 'function' ? value.bind(target) : value;
  // Absent members stay absent (promise resolution probes `then`); present ones are refused.
  if (value === undefined) return undefined;
  return () => refuse(`${prefix}${String(property)}`);
}

/** A view of `store` that fails closed: only allow-listed reads pass. */
export function readOnlyStore(store: ConversationStore): ConversationStore {
  const cache = new Proxy(store.cache, {
    get: (target, property, receiver) => guard(target, READ_CACHE_MEMBERS, 'cache.', property, receiver),
  }) as CacheApi;
  return new Proxy(store, {
    get: (target, property, receiver) => (property === 'cache' ? cache : guard(target, READ_MEMBERS, '', property, receiver)),
  });
}

export function storeConfig(connection: ResolvedConnection, readOnly: boolean): StoreConfig {
  // Read-only environments open read-only stores: no migrations, no writes, no cache fills.
  const config: StoreConfig = readOnly ? { readOnly: true } : {};
  if (connection.sqlite) config.sqlite = { path: connection.sqlite.path };
  if (connection.postgres) config.postgres = { url: connection.postgres.url };
  if (connection.redis) config.redis = { url: connection.redis.url };
  return config;
}

/** Where an environment connects, for error messages: host:port or a file, never a password. */
export function describeTarget(connection: ResolvedConnection): { backend: 'postgres' | 'sqlite'; target: string } {
  if (connection.postgres) {
    const url = new URL(connection.postgres.url);
    return { backend: 'postgres', target: `${url.hostname}:${url.port || '5432'}${url.pathname}` };
  }
  return { backend: 'sqlite', target: connection.sqlite?.path ?? '(none)' };
}

export class StorePool {
  private readonly stores = new Map<string, Promise<ConversationStore>>();
  private readonly replacedListeners = new Set<(environmentId: string) => void>();

  constructor(
    private readonly registry: EnvironmentRegistry,
    private readonly open: StoreOpener,
  ) {}

  /** The environment's store; read-only environments get the guarded view. */
  async get(environmentId: string): Promise<ConversationStore> {
    const env = this.registry.get(environmentId);
    const store = await this.raw(environmentId);
    return env.readOnly ? readOnlyStore(store) : store;
  }

  private raw(environmentId: string): Promise<ConversationStore> {
    const existing = this.stores.get(environmentId);
    if (existing) return existing;
    const connection = this.registry.resolve(environmentId);
    const opening = this.open(storeConfig(connection, this.registry.get(environmentId).readOnly)).catch((error: unknown) => {
      // A failed open is not cached: the next call retries (the server may be back).
      this.stores.delete(environmentId);
      const { backend, target } = describeTarget(connection);
      const described = describeConnectionError(backend, error, target);
      throw new ConsoleError('CONNECTION_FAILED', described.message, { cause: error });
    });
    this.stores.set(environmentId, opening);
    return opening;
  }

  /** A store outside the pool (the caller closes it): e.g. the file an offline copy is written to. */
  openUnpooled(config: StoreConfig): Promise<ConversationStore> {
    return this.open(config);
  }

  isOpen(environmentId: string): boolean {
    return this.stores.has(environmentId);
  }

  /**
   * Called after an environment's store was closed because its profile changed or went away:
   * whoever holds on to that store (a live subscription) must let go and ask again.
   */
  onReplaced(listener: (environmentId: string) => void): () => void {
    this.replacedListeners.add(listener);
    return () => this.replacedListeners.delete(listener);
  }

  /** Closes an environment's store (profile edited or removed); the next call reopens it. */
  async drop(environmentId: string): Promise<void> {
    const opening = this.stores.get(environmentId);
    this.stores.delete(environmentId);
    if (opening) {
      const store = await opening.catch(() => null);
      await store?.close();
    }
    for (const listener of this.replacedListeners) listener(environmentId);
  }

  async closeAll(): Promise<void> {
    const ids = [...this.stores.keys()];
    await Promise.all(ids.map((id) => this.drop(id)));
  }
}
