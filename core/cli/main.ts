/**
 * `scrollback <command>`: the command-line entry. Configuration comes from the environment, as
 * for `openStore()`. Exit codes: 0 ok, 1 failure, 2 bad usage. A failure is one line on stderr
 * (secrets scrubbed, never message content); `--verbose` adds the stack.
 */
import { parseCommandLine, type CommandLine } from './args.js';
import { UsageError } from './cli-errors.js';
import { runConsole } from './commands/console.js';
import { runExport } from './commands/export.js';
import { runImportCommand } from './commands/import.js';
import { runInspect } from './commands/inspect.js';
import { runMigrate } from './commands/migrate.js';
import { runStats } from './commands/stats.js';
import { runTail } from './commands/tail.js';
import { formatError } from './format-error.js';
import { write, type CliIo } from './io.js';
import { usage } from './usage.js';

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let line: CommandLine;
  try {
    line = parseCommandLine(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    await write(io.stderr, `scrollback: ${error.message}\n\n${usage(error.command !== null && error.command !== 'help' ? (error.command as Parameters<typeof usage>[0]) : undefined)}`);
    return 2;
  }
  const { command, verbose } = line;
  try {
    switch (command.name) {
      case 'help':
        await write(io.stdout, usage(command.topic));
        return 0;
      case 'migrate':
        return await runMigrate(command, io);
      case 'import':
        return await runImportCommand(command, io, { verbose });
      case 'export':
        return await runExport(command, io);
      case 'tail':
        return await runTail(command, io);
      case 'inspect':
        return await runInspect(command, io);
      case 'stats':
        return await runStats(command, io);
      case 'console':
        return await runConsole(io);
    }
  } catch (error) {
    await write(io.stderr, `${formatError(error, { verbose })}\n`);
    return 1;
  }
}

// A reader that went away (`scrollback export | head`) is not a failure: stop quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  process.stderr.write(`${formatError(error, { verbose: false })}\n`);
  process.exit(1);
});

const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
process.exitCode = code;
// Every command closes what it opened; this bounds a driver that still holds the loop open.
setTimeout(() => process.exit(code), 2000).unref();
