/**
 * `scrollback export [--out file] [--user id] [--mask]`: every conversation (soft-deleted ones
 * included) as JSONL, one stored event per line, each conversation's events together in version
 * order — the console's export format, so `import --from jsonl` replays renames, redactions and
 * deletes as well as messages. With --out the file appears complete or not at all.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { maskObject, maskText } from '../../console/masking.js';
import type { StoredEvent } from '../../events/types.js';
import { openStore } from '../../store/open-store.js';
import type { Command } from '../args.js';
import { write, type CliIo, type OutputStream } from '../io.js';
import { readConversation } from '../read-all.js';

type ExportCommand = Extract<Command, { name: 'export' }>;

/** Content blanked; metadata strings, titles and reasons masked (they can hold text too). */
export function maskForExport(event: StoredEvent): StoredEvent {
  switch (event.type) {
    case 'message.appended':
      return { ...event, data: { ...event.data, content: '', metadata: maskObject(event.data.metadata) } };
    case 'conversation.renamed':
      return { ...event, data: { ...event.data, title: maskText(event.data.title) } };
    case 'message.redacted':
      return { ...event, data: { ...event.data, reason: maskText(event.data.reason) } };
    default:
      return event;
  }
}

async function exportTo(out: OutputStream, command: ExportCommand): Promise<{ conversations: number; events: number }> {
  const store = await openStore();
  let conversations = 0;
  let events = 0;
  try {
    let cursor: string | undefined;
    do {
      const page = await store.listConversations({
        limit: 500,
        includeDeleted: true,
        ...(command.userId !== undefined ? { userId: command.userId } : {}),
        ...(cursor !== undefined ? { cursor } : {}),
      });
      for (const info of page.items) {
        conversations++;
        for await (const batch of readConversation(store, info.conversationId)) {
          const lines = batch.map((event) => JSON.stringify(command.mask ? maskForExport(event) : event)).join('\n');
          await write(out, `${lines}\n`);
          events += batch.length;
        }
      }
      cursor = page.nextCursor;
    } while (cursor !== undefined);
  } finally {
    await store.close();
  }
  return { conversations, events };
}

export async function runExport(command: ExportCommand, io: CliIo): Promise<number> {
  if (command.out === undefined) {
    const counts = await exportTo(io.stdout, command);
    await write(io.stderr, `export: ${counts.events} events of ${counts.conversations} conversations${command.mask ? ' (masked)' : ''}\n`);
    return 0;
  }
  const temporary = `${command.out}.${process.pid}.partial`;
  const file = createWriteStream(temporary, { flags: 'wx', mode: 0o600 });
  const opened = new Promise<void>((resolve, reject) => {
    file.once('open', () => resolve());
    file.once('error', reject);
  });
  try {
    await opened;
    const counts = await exportTo(file, command);
    await new Promise<void>((resolve, reject) => file.end((error?: Error | null) => (error ? reject(error) : resolve())));
    await rename(temporary, command.out);
    await write(io.stderr, `export: ${counts.events} events of ${counts.conversations} conversations to ${command.out}${command.mask ? ' (masked)' : ''}\n`);
    return 0;
  } catch (error) {
    file.destroy();
    await rm(temporary, { force: true });
    throw error;
  }
}
