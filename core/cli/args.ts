/**
 * Parses `scrollback <command> [options]` with node:util `parseArgs` (strict: an unknown flag is
 * bad usage), then checks each command's arguments into a typed command.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './cli-errors.js';
import { COMMAND_NAMES, type CommandName } from './usage.js';

export const IMPORT_FORMATS = ['langchain-redis', 'langchain-postgres', 'jsonl', 'sessions-json'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export type Command =
  | { name: 'help'; topic?: CommandName }
  | { name: 'migrate'; status: boolean }
  | { name: 'import'; from: ImportFormat; source: string; prefix: string; table: string; userId?: string }
  | { name: 'export'; mask: boolean; userId?: string; out?: string }
  | { name: 'tail'; follow: boolean; lines: number; from: 'start' | 'end' }
  | { name: 'inspect'; conversationId: string; json: boolean }
  | { name: 'stats'; json: boolean }
  | { name: 'console' };

export interface CommandLine {
  command: Command;
  verbose: boolean;
}

type Options = NonNullable<ParseArgsConfig['options']>;

const GLOBAL: Options = {
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

const OPTIONS: Record<CommandName, Options> = {
  migrate: { status: { type: 'boolean' } },
  import: { from: { type: 'string' }, prefix: { type: 'string' }, table: { type: 'string' }, user: { type: 'string' } },
  export: { mask: { type: 'boolean' }, user: { type: 'string' }, out: { type: 'string', short: 'o' } },
  tail: { follow: { type: 'boolean', short: 'f' }, lines: { type: 'string', short: 'n' }, from: { type: 'string' } },
  inspect: { json: { type: 'boolean' } },
  stats: { json: { type: 'boolean' } },
  console: {},
};

/** The positional arguments each command takes (beyond its name). */
const POSITIONALS: Record<CommandName, readonly string[]> = {
  migrate: [],
  import: ['source'],
  export: [],
  tail: [],
  inspect: ['conversationId'],
  stats: [],
  console: [],
};

/** LangChain's PostgresChatMessageHistory default table. */
export const DEFAULT_LANGCHAIN_TABLE = 'langchain_chat_histories';

function isCommand(value: string): value is CommandName {
  return (COMMAND_NAMES as string[]).includes(value);
}

function nonEmpty(command: CommandName, flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.length === 0) throw new UsageError(flag, 'must not be empty', command);
  return value;
}

export function parseCommandLine(argv: readonly string[]): CommandLine {
  const name = argv[0];
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === undefined ? undefined : argv[1];
    if (topic !== undefined && !isCommand(topic)) throw new UsageError('command', `unknown command "${topic.slice(0, 40)}"`);
    return { command: topic === undefined ? { name: 'help' } : { name: 'help', topic }, verbose: false };
  }
  if (!isCommand(name)) {
    throw new UsageError('command', name.startsWith('-') ? `expected a command before "${name.slice(0, 40)}"` : `unknown command "${name.slice(0, 40)}"`);
  }

  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv.slice(1), options: { ...GLOBAL, ...OPTIONS[name] }, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs names the flag in its message ("Unknown option '--x'"), never a value.
    const message = error instanceof Error ? error.message.split('\n')[0] ?? 'bad arguments' : 'bad arguments';
    throw new UsageError('arguments', message.replace(/\. To specify a positional argument.*$/u, ''), name, { cause: error });
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const verbose = values.verbose === true;
  if (values.help === true) return { command: { name: 'help', topic: name }, verbose };

  const expected = POSITIONALS[name];
  if (parsed.positionals.length > expected.length) {
    throw new UsageError('arguments', `unexpected argument "${String(parsed.positionals[expected.length]).slice(0, 40)}"`, name);
  }
  if (parsed.positionals.length < expected.length) throw new UsageError(expected[parsed.positionals.length] ?? 'arguments', 'is required', name);
  const str = (key: string): string | undefined => {
    const value = values[key];
    return typeof value === 'string' ? nonEmpty(name, `--${key}`, value) : undefined;
  };
  const bool = (key: string): boolean => values[key] === true;

  switch (name) {
    case 'migrate':
      return { command: { name, status: bool('status') }, verbose };
    case 'import': {
      const from = str('from');
      if (from === undefined) throw new UsageError('--from', `is required: one of ${IMPORT_FORMATS.join(', ')}`, name);
      if (!(IMPORT_FORMATS as readonly string[]).includes(from)) throw new UsageError('--from', `must be one of ${IMPORT_FORMATS.join(', ')}`, name);
      const format = from as ImportFormat;
      if (values.prefix !== undefined && format !== 'langchain-redis') throw new UsageError('--prefix', 'applies to --from langchain-redis only', name);
      if (values.table !== undefined && format !== 'langchain-postgres') throw new UsageError('--table', 'applies to --from langchain-postgres only', name);
      if (values.user !== undefined && format === 'jsonl') throw new UsageError('--user', 'does not apply to jsonl: the file names each owner', name);
      const userId = str('user');
      return {
        command: {
          name,
          from: format,
          source: parsed.positionals[0] as string,
          prefix: typeof values.prefix === 'string' ? values.prefix : '',
          table: str('table') ?? DEFAULT_LANGCHAIN_TABLE,
          ...(userId !== undefined ? { userId } : {}),
        },
        verbose,
      };
    }
    case 'export': {
      const userId = str('user');
      const out = str('out');
      return { command: { name, mask: bool('mask'), ...(userId !== undefined ? { userId } : {}), ...(out !== undefined ? { out } : {}) }, verbose };
    }
    case 'tail': {
      const from = str('from');
      if (from !== undefined && from !== 'start' && from !== 'end') throw new UsageError('--from', 'must be start or end', name);
      const rawLines = str('lines');
      const lines = rawLines === undefined ? 20 : Number(rawLines);
      if (!Number.isSafeInteger(lines) || lines < 1 || lines > 1_000_000) throw new UsageError('--lines', 'must be an integer from 1 to 1000000', name);
      if (rawLines !== undefined && (bool('follow') || from === 'start')) throw new UsageError('--lines', 'applies without -f and --from start only', name);
      return { command: { name, follow: bool('follow'), lines, from: from ?? 'end' }, verbose };
    }
    case 'inspect':
      return { command: { name, conversationId: parsed.positionals[0] as string, json: bool('json') }, verbose };
    case 'stats':
      return { command: { name, json: bool('json') }, verbose };
    case 'console':
      return { command: { name }, verbose };
  }
}
