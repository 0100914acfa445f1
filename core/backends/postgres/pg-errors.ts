/**
 * The one place PostgreSQL driver errors become Scrollback errors. Our write functions raise custom
 * SQLSTATEs (see migrations/postgres/0001_init.sql); connectivity failures, timeouts and server
 * shutdowns become BackendUnavailableError with the driver error as `cause`. Anything else (a bug,
 * a constraint we did not expect) is rethrown unchanged rather than disguised as an outage.
 */
import {
  BackendUnavailableError,
  ConversationDeletedError,
  ConversationNotFoundError,
  IdempotencyConflictError,
  ValidationError,
  VersionConflictError,
  isScrollbackError,
} from '../../errors/errors.js';
import type { ExpectedVersion } from '../../events/types.js';

export const SQLSTATE = {
  versionConflict: 'SBV01',
  idempotencyConflict: 'SBI01',
  deleted: 'SBD01',
  notFound: 'SBN01',
  unknownMessage: 'SBM01',
  /** The message cannot take this write (redacted, retracted); DETAIL says why. */
  messageUnavailable: 'SBM02',
  /** Merged conversation metadata over the limit; DETAIL = the limit in bytes. */
  metadataTooLarge: 'SBL01',
} as const;

/**
 * True when an append must be retried with the idempotency probe on: its insert met a message id
 * already stored (unique_violation on events_conversation_event), which undid the append.
 */
export function isStoredIdRetry(error: unknown): boolean {
  return sqlState(error) === '23505' && (error as { constraint?: unknown }).constraint === 'events_conversation_event';
}

export interface ErrorContext {
  conversationId?: string;
  expectedVersion?: ExpectedVersion;
}

// Connection exceptions, insufficient resources, operator intervention (shutdown, cancel =
// statement_timeout), system errors.
const UNAVAILABLE_CLASSES = ['08', '53', '57', '58'];
const UNAVAILABLE_MESSAGES =
  /timeout|terminated|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|Connection ended|not queryable|socket|pool.*(ended|closed)/i;

/** The SQLSTATE of an error the server sent (it has a severity); socket errors have codes too. */
function sqlState(error: unknown): string | undefined {
  const fields = error as { code?: unknown; severity?: unknown } | null;
  return typeof fields?.code === 'string' && typeof fields.severity === 'string' ? fields.code : undefined;
}

function detail(error: unknown): string {
  const value = (error as { detail?: unknown } | null)?.detail;
  return typeof value === 'string' ? value : '';
}

export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const state = sqlState(error);
  if (state !== undefined) return UNAVAILABLE_CLASSES.includes(state.slice(0, 2));
  // No SQLSTATE: the error came from the socket or the driver, not from the server.
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' || UNAVAILABLE_MESSAGES.test(error.message);
}

export function mapPgError(error: unknown, context: ErrorContext = {}): unknown {
  if (isScrollbackError(error)) return error;
  const id = context.conversationId ?? '';
  switch (sqlState(error)) {
    case SQLSTATE.versionConflict: {
      const expected = context.expectedVersion === 'any' || context.expectedVersion === undefined ? 'exists' : context.expectedVersion;
      return new VersionConflictError(id, expected, Number(detail(error)));
    }
    case SQLSTATE.idempotencyConflict:
      return new IdempotencyConflictError(id, detail(error), (error as Error).message);
    case SQLSTATE.deleted:
      return new ConversationDeletedError(id);
    case SQLSTATE.notFound:
      return new ConversationNotFoundError(id);
    case SQLSTATE.unknownMessage:
      return new ValidationError('messageId', 'no such message in this conversation');
    case SQLSTATE.messageUnavailable:
      return new ValidationError('messageId', detail(error) || 'the message cannot be changed');
    case SQLSTATE.metadataTooLarge:
      return new ValidationError('metadata', `merged with the conversation's metadata, must serialise to at most ${detail(error)} bytes`);
    default:
      break;
  }
  if (isUnavailable(error)) {
    const reason = error instanceof Error ? error.message : String(error);
    return new BackendUnavailableError('postgres', reason, { cause: error });
  }
  return error;
}
