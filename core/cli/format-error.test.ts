import { describe, expect, it } from 'vitest';
import { BackendUnavailableError, ValidationError } from '../errors/errors.js';
import { formatError } from './format-error.js';
import { redactSecrets } from './redact.js';

describe('redactSecrets', () => {
  it('masks passwords in URL userinfo, lone Redis userinfo and query parameters', () => {
    expect(redactSecrets('postgres://app:s3cret@db:5432/x')).toBe('postgres://app:***@db:5432/x');
    expect(redactSecrets('see redis://hunter2@cache:6379/0 now')).toBe('see redis://***@cache:6379/0 now');
    expect(redactSecrets('rediss://default:pw@h')).toBe('rediss://default:***@h');
    expect(redactSecrets('postgres://h/db?sslmode=require&password=pw&sslpassword=x')).toBe('postgres://h/db?sslmode=require&password=***&sslpassword=***');
    expect(redactSecrets('postgres://h:5432/db')).toBe('postgres://h:5432/db');
  });
});

describe('formatError', () => {
  it('prints one line with the code and the causes, secrets scrubbed', () => {
    const driver = new Error('connect ECONNREFUSED for postgres://u:pw@127.0.0.1:1/db\n  at somewhere');
    const line = formatError(new BackendUnavailableError('postgres', 'cannot connect', { cause: driver }), { verbose: false });
    expect(line).toBe('scrollback: BACKEND_UNAVAILABLE: postgres: cannot connect (cause: Error: connect ECONNREFUSED for postgres://u:***@127.0.0.1:1/db at somewhere)');
    expect(line).not.toContain('\n');
  });

  it('adds the stack only when verbose', () => {
    const error = new ValidationError('jsonl', 'line 3 is not JSON');
    expect(formatError(error, { verbose: false })).toBe('scrollback: VALIDATION: jsonl: line 3 is not JSON');
    expect(formatError(error, { verbose: true })).toContain('\n    at ');
  });
});
