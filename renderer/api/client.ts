/**
 * The one typed client of the console API: `call('conversations.list', {...})` returns the
 * method's result type, or throws an ApiError. Auth rides on the HttpOnly cookie the server set on
 * first load, so no token ever lives in page script.
 */
import type { ApiInput, ApiMethod, ApiOutput } from './contract.js';
import { ApiError, type ApiErrorCode } from './api-error.js';

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface ApiClient {
  call<M extends ApiMethod>(method: M, input: ApiInput<M>, options?: { signal?: AbortSignal }): Promise<ApiOutput<M>>;
}

interface Envelope {
  ok: boolean;
  data?: unknown;
  error?: { code?: unknown; message?: unknown; field?: unknown };
}

/** Every code the server sends, as a record so a code added to the contract must be added here. */
const CODES: Record<Exclude<ApiErrorCode, 'NETWORK'>, true> = {
  VALIDATION: true,
  VERSION_CONFLICT: true,
  IDEMPOTENCY_CONFLICT: true,
  CONVERSATION_NOT_FOUND: true,
  CONVERSATION_DELETED: true,
  BACKEND_UNAVAILABLE: true,
  MISSING_DEPENDENCY: true,
  UNAUTHORIZED: true,
  FORBIDDEN: true,
  READ_ONLY: true,
  REVEAL_REQUIRED: true,
  CONFIRMATION_REQUIRED: true,
  BAD_REQUEST: true,
  NOT_FOUND: true,
  CONNECTION_FAILED: true,
  INTERNAL: true,
};
const KNOWN_CODES: ReadonlySet<string> = new Set(Object.keys(CODES));

function toCode(value: unknown, status: number): ApiErrorCode {
  if (typeof value === 'string' && KNOWN_CODES.has(value)) return value as ApiErrorCode;
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  return 'INTERNAL';
}

export function createApiClient(options: { baseUrl?: string; fetch?: FetchLike } = {}): ApiClient {
  const baseUrl = options.baseUrl ?? '';
  const doFetch: FetchLike = options.fetch ?? ((url, init) => fetch(url, init));
  return {
    async call(method, input, callOptions) {
      let response: Response;
      try {
        response = await doFetch(`${baseUrl}/api/${method}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(input),
          credentials: 'same-origin',
          signal: callOptions?.signal,
        });
      } catch (error) {
        if (error instanceof DOMException && error.name === 'AbortError') throw error;
        throw new ApiError('NETWORK', 'network error', 0);
      }
      let envelope: Envelope | undefined;
      try {
        envelope = (await response.json()) as Envelope;
      } catch {
        envelope = undefined;
      }
      if (response.ok && envelope?.ok === true) {
        return envelope.data as ApiOutput<typeof method>;
      }
      const error = envelope?.error;
      const message = typeof error?.message === 'string' ? error.message : `HTTP ${response.status}`;
      const field = typeof error?.field === 'string' ? error.field : undefined;
      throw new ApiError(toCode(error?.code, response.status), message, response.status, field);
    },
  };
}
