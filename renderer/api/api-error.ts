import type { ConsoleErrorCode } from './contract.js';

/** The server's codes, plus NETWORK for a server that could not be reached at all. */
export type ApiErrorCode = ConsoleErrorCode | 'NETWORK';

/** A failed console call, as the UI shows it: a code to branch on and a message for people. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly field: string | undefined;
  readonly status: number;

  constructor(code: ApiErrorCode, message: string, status: number, field?: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.field = field;
  }
}

/** Words a person can act on, whatever was thrown. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    switch (error.code) {
      case 'UNAUTHORIZED':
        return 'The console token is missing or expired. Reopen the URL printed by `npm start`.';
      case 'FORBIDDEN':
        return 'The console server refused this page (foreign host or origin).';
      case 'READ_ONLY':
        return `Refused: this environment is read-only. ${error.message}`;
      case 'REVEAL_REQUIRED':
        return `${error.message} (use “Reveal content” in the environment band).`;
      case 'NETWORK':
        return 'The console server cannot be reached. Is it still running?';
      default:
        return error.message;
    }
  }
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}
