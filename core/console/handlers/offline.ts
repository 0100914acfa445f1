/**
 * Offline copies: conversations pulled from any environment into a new SQLite file of the
 * console's own, replayed with the import machinery (so a copy holds exactly what an export and
 * re-import would) and registered as a local, read-only environment that names its source.
 *
 * Masking happens before anything is written: a masked copy never holds the original text, not
 * even for a moment. A copy is all or nothing: if any conversation fails, the file is removed
 * and nothing is registered.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { ConversationNotFoundError } from '../../errors/errors.js';
import type { StoredEvent } from '../../events/types.js';
import type { ConversationStore } from '../../store/types.js';
import { DEFAULT_OFFLINE_LIMIT, type ApiInput, type EnvironmentView } from '../api.js';
import { ConsoleError } from '../console-error.js';
import type { ConsoleContext, Handlers } from '../context.js';
import { maskEvent } from '../masking.js';
import { listConversations } from './conversations.js';
import { importEvents, readAllEvents, validateEvents } from './transfer.js';

type SaveInput = ApiInput<'offline.save'>;

/** Names stay readable in the environment picker. */
const MAX_SOURCE_NAME = 40;

/** Whether the copy is masked; refuses an unmasked copy of a masked environment without a reveal. */
export function copyMasking(env: EnvironmentView, input: Pick<SaveInput, 'mask' | 'reveal' | 'filter'>): boolean {
  const mask = input.mask ?? true;
  if (env.masked && input.reveal !== true) {
    if (!mask) throw new ConsoleError('REVEAL_REQUIRED', `“${env.name}” is masked: an unmasked copy needs content revealed.`, { field: 'mask' });
    // Which conversations match a search tells what hidden text contains, copy or not.
    if ((input.filter?.search ?? '').trim() !== '') {
      throw new ConsoleError('REVEAL_REQUIRED', `Search is off while “${env.name}” is masked: reveal content to search it.`, { field: 'filter.search' });
    }
  }
  return mask;
}

/** The conversations to copy: the selection as given, else the filter's matches, newest first. */
async function chooseConversations(store: ConversationStore, input: SaveInput): Promise<string[]> {
  const limit = input.limit ?? DEFAULT_OFFLINE_LIMIT;
  if (input.conversationIds !== undefined) {
    const chosen: Array<{ id: string; at: string }> = [];
    for (const conversationId of [...new Set(input.conversationIds)].slice(0, limit)) {
      const info = await store.getConversation(conversationId);
      if (info === null) throw new ConversationNotFoundError(conversationId);
      chosen.push({ id: conversationId, at: info.lastMessageAt ?? info.createdAt });
    }
    // Newest first, as a filter returns them.
    return chosen.sort((a, b) => b.at.localeCompare(a.at)).map((c) => c.id);
  }
  const filter = input.filter ?? {};
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await listConversations(store, {
      environmentId: input.environmentId,
      ...filter,
      limit: Math.min(500, limit - ids.length),
      ...(cursor !== undefined ? { cursor } : {}),
    });
    ids.push(...page.items.map((item) => item.conversationId));
    cursor = page.nextCursor;
  } while (cursor !== undefined && ids.length < limit);
  return ids.slice(0, limit);
}

function removeFile(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${path}${suffix}`, { force: true });
}

export function offlineDir(dataDir: string): string {
  return join(dataDir, 'offline');
}

/** Removes a copy's SQLite file, only if it sits in the console's offline folder. */
export function removeOfflineFile(dataDir: string, path: string): void {
  const inside = relative(offlineDir(dataDir), resolve(path));
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return;
  removeFile(path);
}

async function writeCopy(
  ctx: ConsoleContext,
  source: ConversationStore,
  path: string,
  conversationIds: string[],
  masked: boolean,
): Promise<{ conversations: number; events: number }> {
  const copy = await ctx.stores.openUnpooled({ sqlite: { path } });
  let conversations = 0;
  let events = 0;
  try {
    // Replayed events get the time of the copy: replaying the oldest first keeps the source's
    // newest-first order in the copy's list.
    for (const conversationId of [...conversationIds].reverse()) {
      const original = await readAllEvents(source, conversationId);
      // A conversation without messages has nothing to replay (the first append creates it).
      if (!original.some((e) => e.type === 'message.appended')) continue;
      const prepared: StoredEvent[] = masked ? original.map(maskEvent) : original;
      validateEvents(prepared);
      const result = await importEvents(copy, prepared, { conversationId, maskContent: false });
      conversations++;
      events += result.events;
    }
  } finally {
    await copy.close();
  }
  return { conversations, events };
}

function copyName(sourceName: string, savedAt: string): string {
  const name = sourceName.length > MAX_SOURCE_NAME ? `${sourceName.slice(0, MAX_SOURCE_NAME - 1)}…` : sourceName;
  return `Offline copy of ${name} · ${savedAt.slice(0, 16).replace('T', ' ')} UTC`;
}

export const offlineHandlers: Pick<Handlers, 'offline.save' | 'offline.list'> = {
  'offline.save': async (input, ctx) => {
    const env = ctx.registry.get(input.environmentId);
    const masked = copyMasking(env, input);
    const source = await ctx.stores.get(input.environmentId);
    const conversationIds = await chooseConversations(source, input);
    const savedAt = new Date().toISOString();
    const dir = offlineDir(ctx.registry.dataDir);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // The random part keeps two saves in the same millisecond from sharing a file.
    const path = join(dir, `${env.id}-${savedAt.replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.sqlite`);
    let written: { conversations: number; events: number };
    try {
      written = await writeCopy(ctx, source, path, conversationIds, masked);
    } catch (error) {
      removeFile(path);
      throw error;
    }
    const environment = ctx.registry.createOfflineCopy({
      name: copyName(env.name, savedAt),
      path,
      offlineCopyOf: { environmentId: env.id, environmentName: env.name, savedAt, masked, conversations: written.conversations },
    });
    ctx.log(`offline: saved ${written.conversations} conversations of ${JSON.stringify(env.name)} (${env.id}) as ${environment.id}${masked ? ', masked' : ', unmasked'}`);
    return { environment, conversations: written.conversations, events: written.events, masked };
  },
  'offline.list': async (input, ctx) => ctx.registry.offlineCopiesOf(input.environmentId),
};
