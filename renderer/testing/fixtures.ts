import type { ConversationListItem, EnvironmentView } from '../api/contract.js';
import type { Message, StoredEvent } from '../../core/events/types.js';
import type { StoreStats } from '../../core/metrics/types.js';

export function environment(patch: Partial<EnvironmentView> = {}): EnvironmentView {
  return {
    id: 'env-1',
    name: 'Local demo',
    kind: 'local',
    color: '#3fb68b',
    readOnly: false,
    masked: false,
    connection: { sqlite: { path: '/tmp/demo.sqlite' } },
    hasSecret: false,
    secret: 'none',
    builtIn: true,
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    ...patch,
  };
}

export function conversation(n: number, patch: Partial<ConversationListItem> = {}): ConversationListItem {
  const minute = String(n % 60).padStart(2, '0');
  return {
    conversationId: `conv-${String(n).padStart(6, '0')}`,
    userId: `user-${n % 3}`,
    title: n % 2 === 0 ? `Title ${n}` : null,
    status: 'active',
    version: n + 1,
    messageCount: n,
    createdAt: `2025-01-01T00:${minute}:00.000Z`,
    lastMessageAt: `2025-01-02T00:${minute}:00.000Z`,
    preview: `preview ${n}`,
    metadata: {},
    ...patch,
  };
}

export function message(version: number, patch: Partial<Message> = {}): Message {
  return {
    id: `msg-${version}`,
    conversationId: 'conv-1',
    version,
    role: version % 2 === 0 ? 'user' : 'assistant',
    content: `content ${version}`,
    createdAt: '2025-01-01T00:00:00.000Z',
    metadata: {},
    redacted: false,
    ...patch,
  };
}

export function appended(version: number, conversationId = 'conv-1'): StoredEvent {
  return {
    conversationId,
    version,
    position: version * 10,
    eventId: `msg-${version}`,
    type: 'message.appended',
    data: { role: 'user', content: `content ${version}`, metadata: {} },
    metadata: {},
    recordedAt: '2025-01-01T00:00:00.000Z',
  };
}

export function started(conversationId = 'conv-1'): StoredEvent {
  return {
    conversationId,
    version: 1,
    position: 10,
    eventId: 'start',
    type: 'conversation.started',
    data: { userId: 'u1' },
    metadata: {},
    recordedAt: '2025-01-01T00:00:00.000Z',
  };
}

export function stats(patch: { hits?: number; misses?: number; appends?: number; logHits?: number; ok?: number } = {}): StoreStats {
  const latency = { p50: 1, p95: 2, p99: 3 };
  return {
    tiers: {
      redis: { hits: patch.hits ?? 0, misses: patch.misses ?? 0, errors: 0, latencyMs: latency },
      log: { hits: patch.logHits ?? 0, misses: 0, errors: 0, latencyMs: { p50: 4, p95: 5, p99: 6 } },
    },
    cacheScripts: { ok: patch.ok ?? 0, duplicate: 0, cold: 0, gap: 0, fenced: 0 },
    backends: {},
    appends: patch.appends ?? 0,
  };
}
