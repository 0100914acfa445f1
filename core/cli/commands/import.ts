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
import { loadBackend } from '../../store/backend-loader.js';
import type { ImportPlan, ImportSource } from '../import/source.js';
import { write, type CliIo } from '../io.js';
import { createProgress } from '../progress.js';

type ImportCommand = Extract<Command, { name: 'import' }>;

/** Each source's module (and its driver) loads only when that format is asked for. */
async function openSource(command: ImportCommand): Promise<ImportSource & { skippedKeys?: () => number }> {
  switch (command.from) {
    case 'langchain-redis': {
      const { createLangChainRedisSource } = await loadBackend('ioredis', "LangChain's Redis history", () => import('../import/langchain-redis-source.js'));
      return createLangChainRedisSource(command.source, { prefix: command.prefix });
    }
    case 'langchain-postgres': {
      const { createLangChainPostgresSource } = await loadBackend('pg', "LangChain's PostgreSQL history", () => import('../import/langchain-postgres-source.js'));
      return createLangChainPostgresSource(command.source, { table: command.table });
    }
    case 'jsonl':
      return (await import('../import/jsonl-source.js')).createJsonlSource(command.source);
    case 'sessions-json':
      return (await import('../import/sessions-json-source.js')).createSessionsJsonSource(command.source);
  }
}

export async function runImportCommand(command: ImportCommand, io: CliIo, options: { verbose: boolean }): Promise<number> {
  const source = await openSource(command);
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
