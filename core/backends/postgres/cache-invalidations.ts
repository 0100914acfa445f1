/**
 * The PostgreSQL side of cross-instance cache repair: rows of `cache_invalidations` written by an
 * instance that could not reach Redis, read back by the instances that can. NOTIFY on
 * CACHE_INVALIDATION_CHANNEL wakes readers (on its own LISTEN connection, started only when an
 * instance follows the rows); readers poll as well, because a notification is only a hint.
 */
import type pg from 'pg';
import type { CacheInvalidationLog, RecordedInvalidation } from '../log.js';
import { toPosition } from './rows.js';
import {
  CACHE_INVALIDATION_CHANNEL,
  PRUNE_INVALIDATIONS_SQL,
  RECENT_INVALIDATIONS_SQL,
  RECORD_INVALIDATION_SQL,
} from './queries.js';
import { createWakeListener, type WakeListener } from './wake-listener.js';

type Query = <R extends pg.QueryResultRow>(text: string, values: unknown[]) => Promise<R[]>;

interface RecentRow {
  at: Date;
  id: string | null;
  conversation_id: string | null;
  position: string | null;
  recorded_at: Date | null;
}

export interface PostgresCacheInvalidations extends CacheInvalidationLog {
  close(): Promise<void>;
}

export function createPostgresCacheInvalidations(
  query: Query,
  listenConfig: pg.ClientConfig,
  closeTimeoutMs: number,
  onError: (error: unknown) => void,
): PostgresCacheInvalidations {
  let listener: WakeListener | null = null;
  return {
    async record(conversationId, position) {
      await query(RECORD_INVALIDATION_SQL, [conversationId, position]);
    },

    async recent(after, limit) {
      const rows = await query<RecentRow>(RECENT_INVALIDATIONS_SQL, [after, limit]);
      const first = rows[0];
      if (first === undefined) throw new Error('the invalidation query returned no row');
      const found: RecordedInvalidation[] = [];
      for (const row of rows) {
        if (row.id === null || row.conversation_id === null || row.position === null || row.recorded_at === null) continue;
        found.push({ id: row.id, conversationId: row.conversation_id, position: toPosition(row.position), recordedAt: row.recorded_at });
      }
      return { at: first.at, rows: found };
    },

    async prune() {
      await query(PRUNE_INVALIDATIONS_SQL, []);
    },

    onRecorded(wake) {
      listener ??= createWakeListener(listenConfig, closeTimeoutMs, onError, CACHE_INVALIDATION_CHANNEL);
      return listener.add(wake);
    },

    async close() {
      await listener?.close();
    },
  };
}
