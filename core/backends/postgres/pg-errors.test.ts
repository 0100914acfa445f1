import { describe, expect, it } from 'vitest';
import {
  BackendUnavailableError,
  ConversationDeletedError,
  ConversationNotFoundError,
  IdempotencyConflictError,
  ValidationError,
  VersionConflictError,
} from '../../errors/errors.js';
import { isUnavailable, mapPgError } from './pg-errors.js';

const serverError = (code: string, message = 'server says no', detail?: string): Error =>
  Object.assign(new Error(message), { code, severity: 'ERROR', ...(detail !== undefined ? { detail } : {}) });

describe('mapPgError', () => {
  it("maps the write functions' SQLSTATEs to domain errors", () => {
    const conflict = mapPgError(serverError('SBV01', 'version conflict', '7'), { conversationId: 'c', expectedVersion: 3 });
    expect(conflict).toBeInstanceOf(VersionConflictError);
    expect(conflict).toMatchObject({ conversationId: 'c', expected: 3, actual: 7 });
    expect(mapPgError(serverError('SBV01', 'x', '0'), { conversationId: 'c', expectedVersion: 'exists' })).toMatchObject({ expected: 'exists', actual: 0 });
    expect(mapPgError(serverError('SBI01', 'dup', 'm-1'), { conversationId: 'c' })).toMatchObject({
      constructor: IdempotencyConflictError,
      messageId: 'm-1',
    });
    expect(mapPgError(serverError('SBD01'), { conversationId: 'c' })).toBeInstanceOf(ConversationDeletedError);
    expect(mapPgError(serverError('SBN01'), { conversationId: 'c' })).toBeInstanceOf(ConversationNotFoundError);
    expect(mapPgError(serverError('SBM01'))).toMatchObject({ constructor: ValidationError, field: 'messageId' });
  });

  it('wraps connectivity failures, shutdowns and timeouts once, keeping the cause', () => {
    const cases = [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5'), { code: 'ECONNREFUSED' }),
      new Error('Connection terminated unexpectedly'),
      Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }),
      new Error('timeout exceeded when trying to connect'),
      new Error('Query read timeout'),
      serverError('57014', 'canceling statement due to statement timeout'),
      serverError('57P01', 'terminating connection due to administrator command'),
      serverError('08006', 'connection failure'),
      serverError('53300', 'too many connections'),
    ];
    for (const error of cases) {
      const mapped = mapPgError(error);
      expect(mapped).toBeInstanceOf(BackendUnavailableError);
      expect((mapped as BackendUnavailableError).cause).toBe(error);
      expect(mapPgError(mapped)).toBe(mapped);
    }
  });

  it('leaves other errors alone (bugs must not look like outages)', () => {
    const syntax = serverError('42601', 'syntax error');
    expect(mapPgError(syntax)).toBe(syntax);
    expect(isUnavailable(syntax)).toBe(false);
    const unique = serverError('23505', 'duplicate key');
    expect(mapPgError(unique)).toBe(unique);
    const plain = new TypeError('bad argument');
    expect(mapPgError(plain)).toBe(plain);
  });
});
