/** A typed in-memory stand-in for the console server, for slice tests. */
import type { ApiClient } from '../api/client.js';
import type { ApiInput, ApiMethod, ApiOutput } from '../api/contract.js';
import { createAppStore, type AppStore } from '../state/store.js';

export type Handlers = {
  [M in ApiMethod]?: (input: ApiInput<M>) => ApiOutput<M> | Promise<ApiOutput<M>>;
};

export interface FakeApi extends ApiClient {
  calls: Array<{ method: ApiMethod; input: unknown }>;
  handlers: Handlers;
}

export function createFakeApi(handlers: Handlers = {}): FakeApi {
  const fake: FakeApi = {
    calls: [],
    handlers,
    async call(method, input) {
      fake.calls.push({ method, input });
      const handler = fake.handlers[method] as ((i: typeof input) => unknown) | undefined;
      if (!handler) throw new Error(`no fake handler for ${method}`);
      return (await handler(input)) as never;
    },
  };
  return fake;
}

export function storeWith(handlers: Handlers, environmentId: string | null = 'env-1'): { store: AppStore; api: FakeApi } {
  const api = createFakeApi(handlers);
  const store = createAppStore({ api });
  store.setState({ environmentId });
  return { store, api };
}

/** A promise whose settlement the test controls, to interleave responses. */
export function deferred<T>(): { promise: Promise<T>; resolve(value: T): void; reject(error: unknown): void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
