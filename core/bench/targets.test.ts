import { describe, expect, it } from 'vitest';
import { Results } from './results.js';
import { evaluateTargets, passes } from './targets.js';
import type { SubjectResult } from './harness.js';

function result(p50: number, opsPerSecond: number, itemsPerSecond = opsPerSecond): SubjectResult {
  return { subject: 'x', concurrency: 1, latency: { count: 1, p50, p95: p50, p99: p50, max: p50, mean: p50 }, opsPerSecond, itemsPerSecond };
}

const SIZES = { small: 10_000, large: 1_000_000 };

describe('targets', () => {
  it('compares with the right inequality', () => {
    expect(passes(1.3, '<=', 1.3)).toBe(true);
    expect(passes(1.31, '<=', 1.3)).toBe(false);
    expect(passes(0.99, '<', 1)).toBe(true);
    expect(passes(1, '<', 1)).toBe(false);
    expect(passes(0.7, '>=', 0.7)).toBe(true);
    expect(passes(1, '>', 1)).toBe(false);
  });

  it('forms each ratio from the subjects the issue names', () => {
    const results = new Results();
    results.add('tailHit', 'storeRedisTier', result(0.26, 0));
    results.add('tailHit', 'floor', result(0.2, 0));
    results.add('tailHit', 'langchainRedis', result(0.25, 0));
    results.add('appendC32', 'store', result(10, 2100));
    results.add('appendC32', 'floor', result(10, 3000));
    results.add('embeddedAppend', 'storeEmbedded', result(1, 100, 40_000));
    results.add('embeddedAppend', 'floorSqlite', result(1, 100, 50_000));
    results.add('scaleTail', 'storePostgres', result(1, 0), 10_000);
    results.add('scaleTail', 'storePostgres', result(1.25, 0), 1_000_000);
    const byId = new Map(evaluateTargets(results, SIZES).map((t) => [t.id, t]));

    expect(byId.get('tail-hit-vs-floor')).toMatchObject({ measured: 1.3, pass: true });
    expect(byId.get('tail-hit-vs-langchain')).toMatchObject({ measured: 1.04, pass: false });
    expect(byId.get('append-c32-vs-floor')).toMatchObject({ measured: 0.7, pass: false });
    // store / raw, so a store at 80% of raw's rate passes.
    expect(byId.get('embedded-append-vs-raw')).toMatchObject({ measured: 0.8, pass: true });
    expect(byId.get('embedded-append-rate')).toMatchObject({ measured: 40_000, pass: true });
    expect(byId.get('scaleTail-growth')).toMatchObject({ measured: 1.25, pass: false });
  });

  it('holds every row of the issue to its threshold', () => {
    const results = new Results();
    results.add('appendC1', 'store', result(1.3, 0));
    results.add('appendC1', 'floor', result(1, 0));
    results.add('appendC32', 'store', result(10, 3000));
    results.add('appendC32', 'floor', result(10, 3000));
    results.add('appendC32', 'langchainPostgres', result(10, 2999));
    results.add('appendC32', 'langchainPostgresIndexed', result(10, 3100));
    results.add('appendBatch', 'store', result(10, 100, 8_000));
    results.add('appendBatch', 'floor', result(8, 125, 10_000));
    results.add('tailHit', 'store', result(0.2, 0));
    results.add('tailHit', 'floor', result(0.2, 0));
    results.add('tailMiss', 'storeRedisTier', result(1.5, 0));
    results.add('tailMiss', 'floor', result(1, 0));
    results.add('readAll100', 'store', result(1.3, 0));
    results.add('readAll100', 'floor', result(1, 0));
    results.add('readAll100', 'langchainPostgres', result(1.3, 0));
    results.add('embeddedAppend', 'storeEmbedded', result(1, 100, 39_000));
    results.add('embeddedAppend', 'floorSqlite', result(1, 100, 50_000));
    results.add('embeddedTail', 'storeEmbedded', result(0.15, 0));
    results.add('embeddedTail', 'floorSqlite', result(0.1, 0));
    const byId = new Map(evaluateTargets(results, SIZES).map((t) => [t.id, t]));

    expect(byId.get('append-c1-vs-floor')).toMatchObject({ measured: 1.3, comparison: '<=', threshold: 1.3, pass: true });
    expect(byId.get('append-c32-vs-floor')).toMatchObject({ measured: 1, comparison: '>=', threshold: 1, pass: true });
    expect(byId.get('append-c32-vs-langchain')).toMatchObject({ measured: 1, pass: true });
    expect(byId.get('append-c32-vs-langchain-indexed')).toMatchObject({ measured: 0.968, pass: false });
    expect(byId.get('append-batch-vs-floor')).toMatchObject({ measured: 0.8, comparison: '>=', threshold: 0.8, pass: true });
    expect(byId.get('tail-l1-hit-vs-lrange')).toMatchObject({ measured: 1, threshold: 1, pass: true });
    expect(byId.get('tail-miss-vs-floor')).toMatchObject({ measured: 1.5, threshold: 1.5, pass: true });
    expect(byId.get('read-all-vs-floor')).toMatchObject({ measured: 1.3, comparison: '<=', threshold: 1.3, pass: true });
    // Equal to LangChain is not faster than it.
    expect(byId.get('read-all-vs-langchain')).toMatchObject({ measured: 1, comparison: '<', threshold: 1, pass: false });
    expect(byId.get('embedded-append-vs-raw')).toMatchObject({ measured: 0.78, comparison: '>=', threshold: 0.8, pass: false });
    expect(byId.get('embedded-tail-vs-raw')).toMatchObject({ measured: 1.5, comparison: '<=', threshold: 1.5, pass: true });
  });

  it('fails a target whose inputs were not measured', () => {
    const targets = evaluateTargets(new Results(), SIZES);
    expect(targets.map((t) => t.id)).toEqual(
      expect.arrayContaining([
        'append-c1-vs-floor',
        'append-c32-vs-floor',
        'append-c32-vs-langchain',
        'append-c32-vs-langchain-indexed',
        'append-batch-vs-floor',
        'tail-l1-hit-vs-lrange',
        'tail-miss-vs-floor',
        'read-all-vs-floor',
        'read-all-vs-langchain',
        'embedded-append-vs-raw',
        'embedded-tail-vs-raw',
        'scaleTail-growth',
        'scaleList-growth',
        'scaleListUser-growth',
        'scaleListMetadata-growth',
      ]),
    );
    expect(targets.every((t) => !t.pass && t.measured === null)).toBe(true);
  });
});
