/**
 * Every error the store raises is a {@link ScrollbackError} with a stable string `code`.
 * Driver errors are wrapped once, at the backend boundary, and kept as `cause`.
 */

/** Stable machine-readable codes; callers switch on these, never on messages. */
export type ScrollbackErrorCode =
  | 'VALIDATION'
  | 'VERSION_CONFLICT'
  | 'IDEMPOTENCY_CONFLICT'
  | 'CONVERSATION_NOT_FOUND'
  | 'CONVERSATION_DELETED'
  | 'BACKEND_UNAVAILABLE'
  | 'READ_ONLY'
  | 'MISSING_DEPENDENCY';

/** Base class of every error raised by Scrollback. */
export class ScrollbackError extends Error {
  readonly code: ScrollbackErrorCode;

  constructor(code: ScrollbackErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }
}

/** Bad input, rejected before anything is written. `field` names the offending input. */
export class ValidationError extends ScrollbackError {
  readonly field: string;

  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super('VALIDATION', `${field}: ${message}`, options);
    this.field = field;
  }
}

/** The conversation's version was not what `expectedVersion` demanded. */
export class VersionConflictError extends ScrollbackError {
  readonly conversationId: string;
  readonly expected: number | 'no_stream' | 'exists';
  readonly actual: number;

  constructor(conversationId: string, expected: number | 'no_stream' | 'exists', actual: number) {
    super('VERSION_CONFLICT', `expected version ${String(expected)}, conversation is at ${actual}`);
    this.conversationId = conversationId;
    this.expected = expected;
    this.actual = actual;
  }
}

/** A retried append whose ids match stored messages only in part, or with other content. */
export class IdempotencyConflictError extends ScrollbackError {
  readonly conversationId: string;
  readonly messageId: string;

  constructor(conversationId: string, messageId: string, message: string) {
    super('IDEMPOTENCY_CONFLICT', message);
    this.conversationId = conversationId;
    this.messageId = messageId;
  }
}

/** The conversation does not exist (or was hard-deleted). */
export class ConversationNotFoundError extends ScrollbackError {
  readonly conversationId: string;

  constructor(conversationId: string) {
    super('CONVERSATION_NOT_FOUND', 'conversation not found');
    this.conversationId = conversationId;
  }
}

/** The conversation was soft-deleted: its log can be read, but it takes no more writes. */
export class ConversationDeletedError extends ScrollbackError {
  readonly conversationId: string;

  constructor(conversationId: string) {
    super('CONVERSATION_DELETED', 'conversation is deleted');
    this.conversationId = conversationId;
  }
}

/** A backend the call needs could not be reached in time; `cause` holds the driver error. */
export class BackendUnavailableError extends ScrollbackError {
  readonly backend: 'postgres' | 'redis' | 'sqlite';

  constructor(backend: 'postgres' | 'redis' | 'sqlite', message: string, options?: { cause?: unknown }) {
    super('BACKEND_UNAVAILABLE', `${backend}: ${message}`, options);
    this.backend = backend;
  }
}

/** A write on a store opened with `readOnly: true`. */
export class ReadOnlyError extends ScrollbackError {
  readonly operation: string;

  constructor(operation: string) {
    super('READ_ONLY', `${operation} refused: the store is read-only`);
    this.operation = operation;
  }
}

/**
 * The configured mode needs a driver the application has not installed (`pg`, `ioredis` or
 * `better-sqlite3` are optional peer dependencies, each loaded only by the mode that uses it).
 */
export class MissingDependencyError extends ScrollbackError {
  readonly dependency: string;

  constructor(dependency: string, purpose: string, options?: { cause?: unknown }) {
    super('MISSING_DEPENDENCY', `install ${dependency} to use ${purpose} (npm install ${dependency})`, options);
    this.dependency = dependency;
  }
}

const CODES: ReadonlySet<string> = new Set<ScrollbackErrorCode>([
  'VALIDATION',
  'VERSION_CONFLICT',
  'IDEMPOTENCY_CONFLICT',
  'CONVERSATION_NOT_FOUND',
  'CONVERSATION_DELETED',
  'BACKEND_UNAVAILABLE',
  'READ_ONLY',
  'MISSING_DEPENDENCY',
]);

/** True for any Scrollback error, even one from a duplicate copy of the package. */
export function isScrollbackError(value: unknown): value is ScrollbackError {
  if (value instanceof ScrollbackError) return true;
  if (!(value instanceof Error)) return false;
  const code = (value as { code?: unknown }).code;
  return typeof code === 'string' && CODES.has(code);
}
