/**
 * `scrollback inspect <conversationId> [--json]`: the cached entry against the log's tail, with
 * the verdict. The human form lists messages by version, id, role and size, and marks where the
 * cache and the log disagree; it prints no message text (`--json` has the full report).
 */
import type { Message } from '../../events/types.js';
import { openStore } from '../../store/open-store.js';
import type { CacheEntryReport } from '../../store/types.js';
import { write, type CliIo } from '../io.js';

const VERDICT_HELP: Record<string, string> = {
  consistent: 'the cached messages match the log',
  stale: "the cache's head is behind the log: the next read or append repairs it",
  diverged: 'the heads agree but a cached message differs from the log',
  torn: 'only part of the entry is in Redis (evicted half): it is treated as a miss',
  missing: 'nothing cached: the next read fills it from the log',
  disabled: 'no Redis cache in this mode',
};

function same(a: Message, b: Message): boolean {
  return a.id === b.id && a.role === b.role && a.content === b.content && a.redacted === b.redacted && JSON.stringify(a.metadata) === JSON.stringify(b.metadata);
}

export function formatReport(report: CacheEntryReport): string {
  const out: string[] = [];
  out.push(`Conversation  ${report.conversationId}`);
  out.push(`Verdict       ${report.verdict}${VERDICT_HELP[report.verdict] !== undefined ? ` (${VERDICT_HELP[report.verdict]})` : ''}`);
  out.push(`Log           version ${report.log.version}, position ${report.log.position}, ${report.log.messages.length} messages in its tail`);
  const entry = report.entry;
  out.push(
    entry === null
      ? `Cache         no entry${report.torn ? ' (torn remainder)' : ''}`
      : `Cache         version ${entry.version}, position ${entry.position}, ${entry.messages.length} messages, TTL ${entry.ttlSeconds < 0 ? 'none' : `${entry.ttlSeconds} s`}`,
  );
  out.push(`Fence         ${report.fence === null ? 'none' : `position ${report.fence}`}`);
  const differences = (report as { differences?: { version: number; messageId: string; fields: string[] }[] }).differences;
  if (differences !== undefined && differences.length > 0) {
    out.push('Differences');
    for (const d of differences) out.push(`  v${d.version}  ${d.messageId}  ${d.fields.join(', ')}`);
  }
  const cached = new Map((entry?.messages ?? []).map((m) => [m.version, m]));
  const logged = new Map(report.log.messages.map((m) => [m.version, m]));
  const versions = [...new Set([...cached.keys(), ...logged.keys()])].sort((a, b) => a - b);
  if (versions.length > 0) {
    out.push('', '  version  id                                    role       chars  cache vs log');
    for (const version of versions) {
      const c = cached.get(version);
      const l = logged.get(version);
      const m = (l ?? c) as Message;
      const state = c === undefined ? 'log only' : l === undefined ? 'cache only' : same(c, l) ? 'same' : 'DIFFERS';
      out.push(`  ${String(version).padStart(7)}  ${m.id.padEnd(36).slice(0, 36)}  ${m.role.padEnd(9)}  ${String([...m.content].length).padStart(5)}  ${state}${m.redacted ? ' (redacted)' : ''}`);
    }
  }
  return `${out.join('\n')}\n`;
}

export async function runInspect(command: { conversationId: string; json: boolean }, io: CliIo): Promise<number> {
  const store = await openStore();
  try {
    const report = await store.cache.inspect(command.conversationId);
    await write(io.stdout, command.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return 0;
  } finally {
    await store.close();
  }
}
