/**
 * `scrollback <command>`: the command line, configured by the same environment variables as
 * `openStore()`. Exit codes: 0 ok, 1 failure, 2 bad usage. Errors print as one line; the stack
 * only with `--verbose`.
 */
import { createLog, isMissingPackage } from '../store/backend-loader.js';
import { configFromEnvironment, resolveConfig } from '../store/config.js';

export const USAGE = `Usage: scrollback <command> [--verbose]

Commands:
  migrate    apply pending migrations to the configured log
  console    serve the web console on 127.0.0.1 and print its URL
  help       show this text

Configuration comes from the environment, as for openStore():
  SCROLLBACK_DATABASE_URL (or DATABASE_URL), SCROLLBACK_REDIS_URL (or REDIS_URL),
  SCROLLBACK_SQLITE_PATH; the console also reads SCROLLBACK_CONSOLE_PORT and SCROLLBACK_CONSOLE_DIR.
`;

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
}

const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
};

async function migrate(io: CliIo): Promise<number> {
  const config = resolveConfig(configFromEnvironment(io.env));
  // The log alone, not openStore: migrating never needs the cache.
  const log = await createLog(config);
  try {
    await log.migrate();
  } finally {
    await log.close();
  }
  io.out(`migrations applied (${log.backend})\n`);
  return 0;
}

async function serveConsole(io: CliIo): Promise<number> {
  try {
    // Starts the server on import and keeps the process alive until SIGINT/SIGTERM.
    await import('../console/cli.js');
  } catch (error) {
    const missing = ['pg', 'ioredis', 'better-sqlite3'].find((name) => isMissingPackage(error, name));
    if (missing === undefined) throw error;
    io.err(`scrollback: the console needs pg, ioredis and better-sqlite3: npm install ${missing} (and any other of them missing)\n`);
    return 1;
  }
  return 0;
}

/** Runs one command; resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const verbose = argv.includes('--verbose');
  const args = argv.filter((arg) => arg !== '--verbose');
  const [command, ...rest] = args;
  if (command === 'help' || command === '--help' || command === '-h') {
    io.out(USAGE);
    return 0;
  }
  if (command === undefined) {
    io.err(USAGE);
    return 2;
  }
  if ((command === 'migrate' || command === 'console') && rest.length > 0) {
    io.err(`scrollback ${command}: unexpected argument ${JSON.stringify(rest[0])}\n\n${USAGE}`);
    return 2;
  }
  try {
    if (command === 'migrate') return await migrate(io);
    if (command === 'console') return await serveConsole(io);
  } catch (error) {
    const line = error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
    io.err(`scrollback ${command}: ${line}\n`);
    if (verbose && error instanceof Error && error.stack !== undefined) io.err(`${error.stack}\n`);
    return 1;
  }
  io.err(`scrollback: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
  return 2;
}
