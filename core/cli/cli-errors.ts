/**
 * Errors of the command line itself. Bad usage (unknown command or flag, a missing argument) exits
 * with 2 and the usage text; everything else the CLI raises is a failure (exit 1).
 */
import { ValidationError } from '../errors/errors.js';

/** The command line was malformed: exit 2, with usage. */
export class UsageError extends ValidationError {
  readonly command: string | null;

  constructor(field: string, message: string, command: string | null = null, options?: { cause?: unknown }) {
    super(field, message, options);
    this.command = command;
  }
}
