/**
 * How a failure is printed: one line (class or code, message, and the causes' names and messages),
 * secrets scrubbed; the stack only with `--verbose`. Messages of store errors never hold content;
 * parse errors of the CLI's own readers are written without the offending text.
 */
import { isScrollbackError } from '../errors/errors.js';
import { redactSecrets } from './redact.js';

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/gu, ' ').trim();
}

function describe(error: unknown): string {
  if (isScrollbackError(error)) return `${error.code}: ${error.message}`;
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.name}${typeof code === 'string' ? ` ${code}` : ''}: ${error.message}`;
  }
  return String(error);
}

export function formatError(error: unknown, options: { verbose: boolean }): string {
  const parts = [describe(error)];
  const seen = new Set<unknown>([error]);
  let cause = error instanceof Error ? error.cause : undefined;
  while (cause !== undefined && !seen.has(cause) && parts.length < 5) {
    seen.add(cause);
    // AggregateError (several addresses refused) says nothing itself; its first error does.
    const shown = cause instanceof AggregateError && cause.message === '' && cause.errors[0] !== undefined ? cause.errors[0] : cause;
    parts.push(describe(shown));
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  const line = `scrollback: ${oneLine(parts.join(' (cause: ') + ')'.repeat(parts.length - 1))}`;
  if (!options.verbose) return redactSecrets(line);
  const stack = error instanceof Error && error.stack !== undefined ? `\n${error.stack}` : '';
  return redactSecrets(line + stack);
}
