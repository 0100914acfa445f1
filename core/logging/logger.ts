/**
 * The store's logger: structured, leveled, and fed only ids, counts and error codes — never message
 * content or connection secrets. Applications pass their own (pino, winston, console…).
 */
export interface Logger {
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Logs warnings and errors to stderr as one JSON line each. */
export const stderrLogger: Logger = {
  warn: (message, fields) => process.stderr.write(`${JSON.stringify({ level: 'warn', source: 'scrollback', message, ...fields })}\n`),
  error: (message, fields) => process.stderr.write(`${JSON.stringify({ level: 'error', source: 'scrollback', message, ...fields })}\n`),
};

/** What of an error is safe to log: its class, code and message (driver messages hold no content). */
export function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { error: String(error) };
  const code = (error as { code?: unknown }).code;
  return { error: error.name, ...(typeof code === 'string' ? { code } : {}), detail: error.message };
}
