/** What a run measured, keyed by workload and subject, as the report and the JSON hold it. */
import type { SubjectResult } from './harness.js';

export const WORKLOADS = {
  appendC1: 'append, concurrency 1',
  appendC32: 'append, concurrency 32',
  appendBatch: 'append, batches of 100 in one call, concurrency 1',
  tailHit: 'tail(20), cache hit',
  tailMiss: 'tail(20), cache miss',
  readAll100: 'whole-history read, 100-message conversation',
  tailHitLarge: 'tail(20), cache hit, messages of 64 KiB',
  langchainTurn: 'LangChain interface: addMessage, then getMessages (last 20 used), 100-message sessions',
  embeddedAppend: 'embedded append, batches of 100',
  embeddedTail: 'tail(20), embedded',
  scaleTail: 'tail(20) from the log, by stored events',
  scaleList: 'listConversations (first page of 50), by stored events',
  scaleListUser: 'listConversations by user (20), by stored events',
  scaleListMetadata: 'listConversations by metadata (20 of one tenant), by stored events',
  scaleLangChain: 'LangChain Postgres getMessages (last 20), by stored events',
} as const;
export type WorkloadKey = keyof typeof WORKLOADS;

export const SUBJECTS = {
  store: 'Scrollback (hybrid)',
  storeRedisTier: 'Scrollback (hybrid, L1 off: Redis tier)',
  scrollbackHistory: 'ScrollbackChatMessageHistory (window 20, hybrid store)',
  storeRedisTierCompressed: 'Scrollback (Redis tier, compressAboveBytes 32768)',
  storeEmbedded: 'Scrollback (embedded SQLite)',
  storePostgres: 'Scrollback (PostgreSQL mode)',
  floor: 'hand-written minimum (pg + ioredis)',
  floorRefill20: 'hand-written minimum, refilling only 20',
  floorSqlite: 'hand-written minimum (better-sqlite3)',
  langchainPostgres: 'LangChain PostgresChatMessageHistory',
  langchainPostgresIndexed: 'LangChain PostgresChatMessageHistory, session_id indexed',
  langchainRedis: 'LangChain RedisChatMessageHistory',
} as const;
export type SubjectKey = keyof typeof SUBJECTS;

export interface Measurement extends SubjectResult {
  workload: WorkloadKey;
  subjectKey: SubjectKey;
  /** For the scale workloads: stored events when measured. */
  storedEvents?: number;
}

export class Results {
  readonly measurements: Measurement[] = [];
  readonly notes: string[] = [];

  add(workload: WorkloadKey, subjectKey: SubjectKey, result: SubjectResult, storedEvents?: number): void {
    this.measurements.push({ ...result, workload, subjectKey, ...(storedEvents !== undefined ? { storedEvents } : {}) });
  }

  find(workload: WorkloadKey, subjectKey: SubjectKey, storedEvents?: number): Measurement | undefined {
    return this.measurements.find(
      (m) => m.workload === workload && m.subjectKey === subjectKey && (storedEvents === undefined || m.storedEvents === storedEvents),
    );
  }
}
