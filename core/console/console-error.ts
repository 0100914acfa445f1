/**
 * Errors the console server raises itself (beyond the store's ScrollbackErrors), and the one
 * mapping from any thrown value to the wire error body and HTTP status.
 */
import { isScrollbackError, ValidationError, type ScrollbackErrorCode } from '../errors/errors.js';
import type { ApiErrorBody, ConsoleErrorCode } from './api.js';
import { scrubSecrets } from './connection-url.js';

export class ConsoleError extends Error {
  readonly code: ConsoleErrorCode;
  readonly status: number;
  readonly field: string | undefined;

  constructor(code: ConsoleErrorCode, message: string, options?: { status?: number; field?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ConsoleError';
    this.code = code;
    this.status = options?.status ?? STATUS[code];
    this.field = options?.field;
  }
}

const STATUS: Record<ConsoleErrorCode, number> = {
  VALIDATION: 400,
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  READ_ONLY: 403,
  REVEAL_REQUIRED: 403,
  CONFIRMATION_REQUIRED: 409,
  NOT_FOUND: 404,
  CONVERSATION_NOT_FOUND: 404,
  VERSION_CONFLICT: 409,
  IDEMPOTENCY_CONFLICT: 409,
  CONVERSATION_DELETED: 409,
  CONNECTION_FAILED: 502,
  BACKEND_UNAVAILABLE: 503,
  // The console's own install lacks a driver: a server-side problem, not the request's.
  MISSING_DEPENDENCY: 500,
  INTERNAL: 500,
};

export function readOnlyError(environmentName: string): ConsoleError {
  return new ConsoleError('READ_ONLY', `“${environmentName}” is read-only: this action is refused`);
}

export interface WireError {
  status: number;
  body: ApiErrorBody;
  /** Unexpected errors are logged (scrubbed); expected ones are not. */
  unexpected: boolean;
}

/** Maps anything thrown by a handler to what goes on the wire: never a stack, never a password. */
export function toWireError(error: unknown): WireError {
  if (error instanceof ConsoleError) {
    const body: ApiErrorBody = { code: error.code, message: scrubSecrets(error.message) };
    if (error.field !== undefined) body.field = error.field;
    return { status: error.status, body, unexpected: false };
  }
  if (isScrollbackError(error)) {
    const code = error.code as ScrollbackErrorCode;
    const body: ApiErrorBody = { code, message: scrubSecrets(error.message) };
    const field: unknown = error instanceof ValidationError ? error.field : (error as { field?: unknown }).field;
    if (typeof field === 'string') body.field = field;
    return { status: STATUS[code], body, unexpected: false };
  }
  return {
    status: 500,
    body: { code: 'INTERNAL', message: 'Something went wrong in the console server; see its log.' },
    unexpected: true,
  };
}

/** One line for the server log: the error's class, code and scrubbed message, no content. */
export function describeForLog(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const cause = error.cause instanceof Error ? ` (cause: ${error.cause.name}: ${error.cause.message})` : '';
    return scrubSecrets(`${error.name}${typeof code === 'string' ? ` [${code}]` : ''}: ${error.message}${cause}`);
  }
  return 'non-error value thrown';
}
