/**
 * Writes an import source into a store, resumably. Messages go in batches of up to `maxBatch`
 * in the source's order, each batch one atomic append with the messages' own (or derived) ids: a
 * re-run sends the same batches, and those already stored come back `already_appended`. When the
 * source changed between runs, so that a batch is partly stored, the batch is split into its
 * stored part (re-sent, which checks it is unchanged) and its new part.
 *
 * The other events (renames, redactions, revisions, retractions, metadata changes and soft
 * deletes) carry `import:<source event id>` as their causation id; a re-run skips those it finds
 * in the target's log. A soft-deleted target takes no writes, and its delete came last, so it
 * counts as imported.
 */
import { BackendUnavailableError, IdempotencyConflictError } from '../../errors/errors.js';
import type { EventMetadata } from '../../events/types.js';
import type { ConversationStore } from '../../store/types.js';
import { readAllEvents } from '../read-all.js';
import type { ImportConversation, ImportMessage, ImportSource } from './source.js';

export interface ImportReport {
  conversations: number;
  /** Messages newly written. */
  appended: number;
  /** Messages found already stored (a re-run, or an overlapping source). */
  alreadyStored: number;
  /** Events other than messages (renames, redactions, revisions, …) replayed now. */
  controlEvents: number;
  /** Conversations that failed (the rest were still imported). */
  failed: { conversationId: string; error: unknown }[];
}

export interface ImportOptions {
  /** Owner of the conversations the import creates, unless the source names one. */
  userId?: string;
  maxBatch: number;
  /** Messages done so far (written, found stored, or given up with a failed conversation). */
  onProgress?: (done: number) => void;
}

const CAUSE = 'scrollback-import';

async function storedMessageIds(store: ConversationStore, conversationId: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const event of await readAllEvents(store, conversationId)) if (event.type === 'message.appended') ids.add(event.eventId);
  return ids;
}

async function appliedImportTags(store: ConversationStore, conversationId: string): Promise<Set<string>> {
  const tags = new Set<string>();
  for (const event of await readAllEvents(store, conversationId)) {
    const cause = event.metadata.causationId;
    if (typeof cause === 'string' && cause.startsWith('import:')) tags.add(cause);
  }
  return tags;
}

export async function runImport(store: ConversationStore, source: ImportSource, options: ImportOptions): Promise<ImportReport> {
  const report: ImportReport = { conversations: 0, appended: 0, alreadyStored: 0, controlEvents: 0, failed: [] };
  let done = 0;
  const advance = (n: number): void => {
    done += n;
    options.onProgress?.(done);
  };

  const importOne = async (conversation: ImportConversation): Promise<void> => {
    const { conversationId, items } = conversation;
    const owner = conversation.userId ?? options.userId;
    const appendOptions = { ...(owner !== undefined && owner !== null ? { userId: owner } : {}), metadata: { causationId: CAUSE } };
    const info = await store.getConversation(conversationId);
    if (info?.status === 'deleted') {
      const messages = items.filter((item) => item.kind === 'message').length;
      report.alreadyStored += messages;
      advance(messages);
      return;
    }
    const hasControl = items.some((item) => item.kind !== 'message');
    const tags = info !== null && hasControl ? await appliedImportTags(store, conversationId) : new Set<string>();

    const append = async (batch: ImportMessage[]): Promise<void> => {
      const result = await store.append(conversationId, batch, appendOptions);
      if (result.outcome === 'appended') report.appended += batch.length;
      else report.alreadyStored += batch.length;
    };

    let pending: ImportMessage[] = [];
    const flush = async (): Promise<void> => {
      if (pending.length === 0) return;
      const batch = pending;
      pending = [];
      try {
        await append(batch);
      } catch (error) {
        if (!(error instanceof IdempotencyConflictError)) throw error;
        // Partly stored: re-send the stored part on its own (it must match), then the rest.
        const stored = await storedMessageIds(store, conversationId);
        const old = batch.filter((m) => stored.has(m.id));
        const fresh = batch.filter((m) => !stored.has(m.id));
        if (old.length === 0 || fresh.length === 0) throw error;
        await append(old);
        await append(fresh);
      }
      advance(batch.length);
    };

    for (const item of items) {
      if (item.kind === 'message') {
        pending.push(item.message);
        if (pending.length >= options.maxBatch) await flush();
        continue;
      }
      await flush();
      const tag = `import:${item.eventId}`;
      if (tags.has(tag)) continue;
      const metadata: EventMetadata = { causationId: tag };
      switch (item.kind) {
        case 'rename':
          await store.rename(conversationId, item.title, { metadata });
          break;
        case 'redact':
          await store.redact(conversationId, item.messageId, { mode: item.mode, reason: item.reason, ...(item.by !== null ? { by: item.by } : {}), metadata });
          break;
        case 'revise':
          await store.revise(conversationId, item.messageId, item.revision, { metadata });
          break;
        case 'retract':
          await store.retract(conversationId, item.messageId, { metadata });
          break;
        case 'metadata':
          await store.setMetadata(conversationId, item.patch, { metadata });
          break;
        case 'delete':
          await store.deleteConversation(conversationId, { hard: false, metadata });
          break;
      }
      report.controlEvents++;
    }
    await flush();
  };

  try {
    for await (const conversation of source.conversations()) {
      report.conversations++;
      const before = done;
      try {
        await importOne(conversation);
      } catch (error) {
        // An outage stops the run (every later conversation would fail alike); bad data fails one.
        if (error instanceof BackendUnavailableError) throw error;
        report.failed.push({ conversationId: conversation.conversationId, error });
        const total = conversation.items.filter((item) => item.kind === 'message').length;
        advance(Math.max(0, before + total - done));
      }
    }
  } finally {
    await source.close();
  }
  return report;
}
