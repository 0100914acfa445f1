/** The usage text: one summary, and one paragraph per command. */

export const COMMAND_USAGE = {
  migrate: `scrollback migrate [--status]
  Applies the log's pending migrations and prints what it applied (or "up to date").
  --status   list applied and pending migrations without applying anything`,
  import: `scrollback import --from <format> <source> [--prefix <p>] [--table <t>] [--user <id>]
  Copies conversations into the store, idempotent by message id: re-running skips what is stored.
  --from langchain-redis      <source> is a Redis URL holding LangChain JS RedisChatMessageHistory lists
                              (--prefix: only keys starting with it, stripped from the session id; default none)
  --from langchain-postgres   <source> is a PostgreSQL URL holding PostgresChatMessageHistory rows
                              (--table: default langchain_chat_histories)
  --from jsonl                <source> is a file written by "scrollback export"
  --from sessions-json        <source> is a JSON file { "<sessionId>": [ { role, content } | { type, data: { content } } ] }
  --user <id>                 owner of the conversations it creates (not for jsonl: the file names owners)`,
  export: `scrollback export [--out <file>] [--user <id>] [--mask]
  Writes every conversation as JSONL, one stored event per line (see README), to stdout or --out.
  --user <id>   only this user's conversations
  --mask        blank message content (and mask metadata strings, titles and redaction reasons)`,
  tail: `scrollback tail [-f] [-n <count>] [--from start]
  Prints events as JSON lines, in commit order.
  -f, --follow     keep printing new events until SIGINT/SIGTERM
  -n, --lines <n>  without -f: how many of the latest events (default 20)
  --from start     begin at the first event instead (reads the whole log)`,
  inspect: `scrollback inspect <conversationId> [--json]
  Compares the cached entry of a conversation with the log's tail and prints the verdict.`,
  stats: `scrollback stats [--json]
  Prints the store's health and metrics (and, with Redis, every live instance's published figures).`,
  console: `scrollback console
  Starts the web console (add the configured store to it as an environment).`,
} as const;

export type CommandName = keyof typeof COMMAND_USAGE;

export const COMMAND_NAMES = Object.keys(COMMAND_USAGE) as CommandName[];

export function usage(command?: CommandName): string {
  if (command !== undefined) return `Usage: ${COMMAND_USAGE[command]}\n\nGlobal options: --verbose (stack traces on failure), -h/--help\n`;
  return `Usage: scrollback <command> [options]

Commands:
${COMMAND_NAMES.map((name) => `  ${COMMAND_USAGE[name].split('\n')[0]}`).join('\n')}

Configuration comes from the environment, as for openStore(): SCROLLBACK_DATABASE_URL (or DATABASE_URL),
SCROLLBACK_REDIS_URL (or REDIS_URL), SCROLLBACK_SQLITE_PATH, SCROLLBACK_CACHE_TTL_SECONDS, SCROLLBACK_CACHE_MAX_MESSAGES.
Exit codes: 0 ok, 1 failure, 2 bad usage. Global options: --verbose, -h/--help.
"scrollback <command> --help" describes one command.
`;
}
