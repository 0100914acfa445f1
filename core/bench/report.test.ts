import { describe, expect, it } from 'vitest';
import { Results } from './results.js';
import { measurementsTable, targetsTable } from './report.js';
import { evaluateTargets } from './targets.js';
import type { SubjectResult } from './harness.js';

function result(p50: number): SubjectResult {
  return { subject: 'x', concurrency: 1, latency: { count: 1, p50, p95: p50, p99: p50, max: p50, mean: p50 }, opsPerSecond: 1, itemsPerSecond: 1 };
}

describe('report', () => {
  it('labels the whole-history read rows and states a strict goal as such', () => {
    const results = new Results();
    results.add('readAll100', 'store', result(0.9));
    results.add('readAll100', 'langchainPostgres', result(1.8));
    results.add('readAll100', 'langchainPostgresIndexed', result(1.2));
    const targets = evaluateTargets(results, { small: 1, large: 2 }).filter((t) => t.id.startsWith('read-all-'));

    const table = targetsTable(targets);
    expect(table).toContain("| whole-history read(id) p50, 100 messages, vs LangChain's Postgres getMessages | 0.5x | < 1x | PASS |");
    expect(table).toContain('| — | ≤ 1.3x | FAIL | not measured: floor |');
    const rows = measurementsTable(results);
    expect(rows).toContain('| whole-history read, 100-message conversation | LangChain PostgresChatMessageHistory, session_id indexed |');
  });
});
