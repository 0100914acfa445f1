/** Every event of one conversation, in version order, read in pages. */
import type { StoredEvent } from '../events/types.js';
import type { ConversationStore } from '../store/types.js';

const PAGE = 5000;

export async function* readConversation(store: ConversationStore, conversationId: string): AsyncIterable<StoredEvent[]> {
  let from = 1;
  for (;;) {
    const page = await store.read(conversationId, { fromVersion: from, limit: PAGE });
    if (page.events.length > 0) yield page.events;
    const last = page.events.at(-1);
    if (last === undefined || last.version >= page.version || page.events.length < PAGE) return;
    from = last.version + 1;
  }
}

export async function readAllEvents(store: ConversationStore, conversationId: string): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for await (const page of readConversation(store, conversationId)) events.push(...page);
  return events;
}
