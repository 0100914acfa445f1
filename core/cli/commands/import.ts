/**
 * `scrollback import --from <format> <source>`: reads and counts the source first (a bad JSONL
 * line fails before anything is written), then writes conversation by conversation with a
 * progress bar on stderr. Safe to kill and run again: what is stored is skipped.
 */
import { DEFAULT_LIMITS } from '../../events/limits.js';
import { openStore } from '../../store/open-store.js';
import type { Command } from '../args.js';
import { formatError } from '../format-error.js';
import { runImport } from '../import/importer.js';
import { createJsonlSource } from '../import/jsonl-source.js';
import { createLangChainPostgresSource } from '../import/langchain-postgres-source.js';
import { createLangChainRedisSource } from '../import/langchain-redis-source.js';
import { createSessionsJsonSource } from '../import/sessions-json-source.js';
import type { ImportPlan, ImportSource } from '../import/source.js';
import { write, type CliIo } from '../io.js';
import { createProgress } from '../progress.js';

type ImportCommand = Extract<Command, { name: 'import' }>;

function openSource(command: ImportCommand): ImportSource & { skippedKeys?: () => number } {
  switch (command.from) {
    case 'langchain-redis':
      return createLangChainRedisSource(command.source, { prefix: command.prefix });
    case 'langchain-postgres':
      return createLangChainPostgresSource(command.source, { table: command.table });
    case 'jsonl':
      return createJsonlSource(command.source);
    case 'sessions-json':
      return createSessionsJsonSource(command.source);
  }
}

export async function runImportCommand(command: ImportCommand, io: CliIo, options: { verbose: boolean }): Promise<number> {
  const source = openSource(command);
  let plan: ImportPlan;
  try {
    plan = await source.plan();
  } catch (error) {
    await source.close();
    throw error;
  }
  const skipped = source.skippedKeys?.() ?? 0;
  await write(
    io.stderr,
    `import: ${plan.messages.toLocaleString('en-US')} messages in ${plan.conversations.toLocaleString('en-US')} conversations` +
      (skipped > 0 ? ` (${skipped} keys skipped: not LangChain histories)` : '') +
      '\n',
  );
  const store = await openStore().catch(async (error: unknown) => {
    await source.close();
    throw error;
  });
  try {
    const progress = createProgress({ total: plan.messages, label: 'import', unit: 'messages', stream: io.stderr });
    progress.update(0);
    const report = await runImport(store, source, {
      maxBatch: DEFAULT_LIMITS.maxBatch,
      ...(command.userId !== undefined ? { userId: command.userId } : {}),
      onProgress: (done) => progress.update(done),
    });
    progress.finish(
      `import: done — ${report.appended.toLocaleString('en-US')} messages written, ${report.alreadyStored.toLocaleString('en-US')} already stored` +
        (report.controlEvents > 0 ? `, ${report.controlEvents} renames/redactions/deletes replayed` : '') +
        `, ${report.conversations - report.failed.length} of ${report.conversations} conversations.`,
    );
    for (const failure of report.failed) {
      await write(io.stderr, `import: conversation "${failure.conversationId.slice(0, 120)}" failed: ${formatError(failure.error, options).replace(/^scrollback: /u, '')}\n`);
    }
    return report.failed.length === 0 ? 0 : 1;
  } finally {
    await store.close();
  }
}
