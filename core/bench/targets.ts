/**
 * The targets, each a ratio between two subjects measured in the same run (absolute
 * times on a shared machine are noise). A target whose inputs were not measured is reported as
 * missing, which fails it: a run that skipped the store proves nothing.
 */
import { ratio } from './stats.js';
import type { Measurement, Results, SubjectKey, WorkloadKey } from './results.js';

export type Comparison = '<=' | '<' | '>=' | '>';

export interface TargetResult {
  id: string;
  description: string;
  /** The measured ratio (or rate, for absolute targets); null when an input is missing. */
  measured: number | null;
  comparison: Comparison;
  threshold: number;
  unit: 'x' | 'msg/s';
  pass: boolean;
  /** The two figures the ratio was formed from. */
  detail: string;
}

type Metric = 'p50' | 'opsPerSecond' | 'itemsPerSecond';

interface RatioSpec {
  id: string;
  description: string;
  subject: [WorkloadKey, SubjectKey, number?];
  reference: [WorkloadKey, SubjectKey, number?];
  metric: Metric;
  comparison: Comparison;
  threshold: number;
}

export function passes(measured: number, comparison: Comparison, threshold: number): boolean {
  if (comparison === '<=') return measured <= threshold;
  if (comparison === '<') return measured < threshold;
  if (comparison === '>=') return measured >= threshold;
  return measured > threshold;
}

function value(m: Measurement, metric: Metric): number {
  return metric === 'p50' ? m.latency.p50 : m[metric];
}

function unitOf(metric: Metric): string {
  return metric === 'p50' ? 'ms p50' : metric === 'opsPerSecond' ? 'ops/s' : 'msg/s';
}

export function ratioTarget(results: Results, spec: RatioSpec): TargetResult {
  const subject = results.find(...spec.subject);
  const reference = results.find(...spec.reference);
  const base = { id: spec.id, description: spec.description, comparison: spec.comparison, threshold: spec.threshold, unit: 'x' as const };
  if (!subject || !reference) {
    return { ...base, measured: null, pass: false, detail: `not measured: ${!subject ? spec.subject[1] : spec.reference[1]}` };
  }
  const s = value(subject, spec.metric);
  const r = value(reference, spec.metric);
  const measured = ratio(s, r);
  return { ...base, measured, pass: passes(measured, spec.comparison, spec.threshold), detail: `${s} vs ${r} ${unitOf(spec.metric)}` };
}

export function evaluateTargets(results: Results, sizes: { small: number; large: number }): TargetResult[] {
  const { small, large } = sizes;
  const targets: TargetResult[] = [
    ratioTarget(results, {
      id: 'tail-hit-vs-floor',
      description: 'cache-hit tail(20) p50 vs raw LRANGE',
      subject: ['tailHit', 'storeRedisTier'],
      reference: ['tailHit', 'floor'],
      metric: 'p50',
      comparison: '<=',
      threshold: 1.3,
    }),
    ratioTarget(results, {
      id: 'tail-l1-hit-vs-lrange',
      description: 'cache-hit tail(20) p50 with the default strict L1 vs raw LRANGE',
      subject: ['tailHit', 'store'],
      reference: ['tailHit', 'floor'],
      metric: 'p50',
      comparison: '<=',
      threshold: 1.0,
    }),
    ratioTarget(results, {
      id: 'langchain-turn-vs-postgres',
      description: "a turn through LangChain's interface: ScrollbackChatMessageHistory vs LangChain's PostgreSQL history",
      subject: ['langchainTurn', 'scrollbackHistory'],
      reference: ['langchainTurn', 'langchainPostgres'],
      metric: 'p50',
      comparison: '<=',
      threshold: 1.0,
    }),
    ratioTarget(results, {
      id: 'tail-hit-vs-langchain',
      description: "cache-hit tail(20) p50 vs LangChain's Redis history",
      subject: ['tailHit', 'storeRedisTier'],
      reference: ['tailHit', 'langchainRedis'],
      metric: 'p50',
      comparison: '<=',
      threshold: 1.0,
    }),
    ratioTarget(results, {
      id: 'append-c1-vs-floor',
      description: 'hybrid append p50, concurrency 1, vs pg INSERT + ioredis pipeline',
      subject: ['appendC1', 'store'],
      reference: ['appendC1', 'floor'],
      metric: 'p50',
      comparison: '<=',
      threshold: 1.3,
    }),
    ratioTarget(results, {
      id: 'append-c32-vs-floor',
      description: 'append throughput, concurrency 32, vs the hand-written minimum',
      subject: ['appendC32', 'store'],
      reference: ['appendC32', 'floor'],
      metric: 'opsPerSecond',
      comparison: '>=',
      threshold: 1.0,
    }),
    ratioTarget(results, {
      id: 'append-c32-vs-langchain',
      description: "append throughput, concurrency 32, vs LangChain's Postgres history",
      subject: ['appendC32', 'store'],
      reference: ['appendC32', 'langchainPostgres'],
      metric: 'opsPerSecond',
      comparison: '>=',
      threshold: 1.0,
    }),
    ratioTarget(results, {
      id: 'append-c32-vs-langchain-indexed',
      description: "append throughput, concurrency 32, vs LangChain's Postgres history with session_id indexed",
      subject: ['appendC32', 'store'],
      reference: ['appendC32', 'langchainPostgresIndexed'],
      metric: 'opsPerSecond',
      comparison: '>=',
      threshold: 1.0,
    }),
    ratioTarget(results, {
      id: 'append-batch-vs-floor',
      description: 'append of 100 messages in one call, messages/s, vs one multi-row INSERT + one pipeline',
      subject: ['appendBatch', 'store'],
      reference: ['appendBatch', 'floor'],
      metric: 'itemsPerSecond',
      comparison: '>=',
      threshold: 0.8,
    }),
    ratioTarget(results, {
      id: 'tail-miss-vs-floor',
      description: 'cache-miss tail(20) p50 (log read + refill) vs raw SELECT + refill',
      subject: ['tailMiss', 'storeRedisTier'],
      reference: ['tailMiss', 'floor'],
      metric: 'p50',
      comparison: '<=',
      threshold: 1.5,
    }),
    ratioTarget(results, {
      id: 'read-all-vs-floor',
      description: 'whole-history read(id) p50, 100 messages, vs one ordered SELECT, decoded',
      subject: ['readAll100', 'store'],
      reference: ['readAll100', 'floor'],
      metric: 'p50',
      comparison: '<=',
      threshold: 1.3,
    }),
    ratioTarget(results, {
      id: 'read-all-vs-langchain',
      description: "whole-history read(id) p50, 100 messages, vs LangChain's Postgres getMessages",
      subject: ['readAll100', 'store'],
      reference: ['readAll100', 'langchainPostgres'],
      metric: 'p50',
      comparison: '<',
      threshold: 1.0,
    }),
    ratioTarget(results, {
      id: 'embedded-append-vs-raw',
      description: 'embedded batched append throughput, store / raw better-sqlite3 at the same synchronous',
      subject: ['embeddedAppend', 'storeEmbedded'],
      reference: ['embeddedAppend', 'floorSqlite'],
      metric: 'itemsPerSecond',
      comparison: '>=',
      threshold: 0.8,
    }),
    embeddedRate(results),
    ratioTarget(results, {
      id: 'embedded-tail-vs-raw',
      description: 'embedded tail(20) p50 vs raw better-sqlite3',
      subject: ['embeddedTail', 'storeEmbedded'],
      reference: ['embeddedTail', 'floorSqlite'],
      metric: 'p50',
      comparison: '<=',
      threshold: 1.5,
    }),
  ];
  for (const [workload, label] of [
    ['scaleTail', 'tail(20) from the log'],
    ['scaleList', 'listConversations'],
    ['scaleListUser', 'listConversations by user'],
    ['scaleListMetadata', 'listConversations by metadata'],
  ] as const) {
    targets.push(
      ratioTarget(results, {
        id: `${workload}-growth`,
        description: `${label} p50 at ${large.toLocaleString('en-US')} vs ${small.toLocaleString('en-US')} events`,
        subject: [workload, 'storePostgres', large],
        reference: [workload, 'storePostgres', small],
        metric: 'p50',
        comparison: '<=',
        threshold: 1.2,
      }),
    );
  }
  return targets;
}

function embeddedRate(results: Results): TargetResult {
  const m = results.find('embeddedAppend', 'storeEmbedded');
  const base = {
    id: 'embedded-append-rate',
    description: 'embedded batched append, messages per second',
    comparison: '>' as const,
    threshold: 10_000,
    unit: 'msg/s' as const,
  };
  if (!m) return { ...base, measured: null, pass: false, detail: 'not measured: storeEmbedded' };
  return { ...base, measured: m.itemsPerSecond, pass: m.itemsPerSecond > 10_000, detail: `${m.itemsPerSecond} msg/s` };
}
