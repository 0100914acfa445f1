import { describe, expect, it } from 'vitest';
import { Results } from './results.js';
import { evaluateTargets, passes } from './targets.js';
import type { SubjectResult } from './harness.js';

function result(p50: number, opsPerSecond: number, itemsPerSecond = opsPerSecond): SubjectResult {
  return { subject: 'x', concurrency: 1, latency: { count: 1, p50, p95: p50, p99: p50, max: p50, mean: p50 }, opsPerSecond, itemsPerSecond };
}

describe('targets', () => {
  it('compares with the right inequality', () => {
    expect(passes(1.3, '<=', 1.3)).toBe(true);
    expect(passes(1.31, '<=', 1.3)).toBe(false);
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
    const byId = new Map(evaluateTargets(results, { small: 10_000, large: 1_000_000 }).map((t) => [t.id, t]));

    expect(byId.get('tail-hit-vs-floor')).toMatchObject({ measured: 1.3, pass: true });
    expect(byId.get('tail-hit-vs-langchain')).toMatchObject({ measured: 1.04, pass: false });
    expect(byId.get('append-c32-vs-floor')).toMatchObject({ measured: 0.7, pass: true });
    expect(byId.get('embedded-append-vs-raw')).toMatchObject({ measured: 1.25, pass: true });
    expect(byId.get('embedded-append-rate')).toMatchObject({ measured: 40_000, pass: true });
    expect(byId.get('scaleTail-growth')).toMatchObject({ measured: 1.25, pass: false });
  });

  it('fails a target whose inputs were not measured', () => {
    const targets = evaluateTargets(new Results(), { small: 10_000, large: 1_000_000 });
    expect(targets.every((t) => !t.pass && t.measured === null)).toBe(true);
  });
});
