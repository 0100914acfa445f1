/** The printed Markdown (ready to paste into README.md) and the JSON a run leaves behind. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ratio } from './stats.js';
import { SUBJECTS, WORKLOADS, type Measurement, type Results } from './results.js';
import type { TargetResult } from './targets.js';

export interface RunInfo {
  profile: string;
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; platform: string; node: string };
  servers: { postgres: string; redis: string; sqlite: string; throwaway: boolean };
  sizes: { small: number; large: number };
}

const fmt = (n: number, digits = 3): string => (Number.isFinite(n) ? Number(n.toPrecision(digits)).toLocaleString('en-US') : String(n));

function describeThreshold(t: TargetResult): string {
  const unit = t.unit === 'x' ? 'x' : ' msg/s';
  const symbol = { '<=': '≤', '<': '<', '>=': '≥', '>': '>' }[t.comparison];
  return `${symbol} ${t.threshold.toLocaleString('en-US')}${unit}`;
}

export function targetsTable(targets: TargetResult[]): string {
  const lines = ['| Target | Measured | Goal | Result | From |', '|---|---|---|---|---|'];
  for (const t of targets) {
    const measured = t.measured === null ? '—' : t.unit === 'x' ? `${t.measured}x` : `${Math.round(t.measured).toLocaleString('en-US')} msg/s`;
    lines.push(`| ${t.description} | ${measured} | ${describeThreshold(t)} | ${t.pass ? 'PASS' : 'FAIL'} | ${t.detail} |`);
  }
  return lines.join('\n');
}

/**
 * One row per measurement; the last column compares each subject with the first one measured in
 * its workload (the store, or the smaller data set), as "times the latency".
 */
export function measurementsTable(results: Results): string {
  const lines = [
    '| Workload | Subject | Events | p50 ms | p99 ms | ops/s | msg/s | p50 vs first row |',
    '|---|---|---|---|---|---|---|---|',
  ];
  const firstByWorkload = new Map<string, Measurement>();
  for (const m of results.measurements) {
    const first = firstByWorkload.get(m.workload) ?? m;
    firstByWorkload.set(m.workload, first);
    const rel = first.latency.p50 > 0 ? `${ratio(m.latency.p50, first.latency.p50)}x` : '—';
    lines.push(
      `| ${WORKLOADS[m.workload]} | ${SUBJECTS[m.subjectKey]} | ${m.storedEvents?.toLocaleString('en-US') ?? ''} | ${fmt(m.latency.p50)} | ${fmt(m.latency.p99)} | ${fmt(m.opsPerSecond)} | ${m.itemsPerSecond.toLocaleString('en-US')} | ${rel} |`,
    );
  }
  return lines.join('\n');
}

export function renderMarkdown(info: RunInfo, results: Results, targets: TargetResult[]): string {
  const passed = targets.filter((t) => t.pass).length;
  return [
    `### Benchmark (${info.profile} mode, ${info.finishedAt.slice(0, 10)})`,
    '',
    `Machine: ${info.machine.cpus} × ${info.machine.cpuModel}, ${info.machine.memoryGiB} GiB, ${info.machine.platform}, Node ${info.machine.node}; ` +
      `PostgreSQL ${info.servers.postgres}, Redis ${info.servers.redis}, SQLite ${info.servers.sqlite}` +
      (info.servers.throwaway ? ' (throwaway local servers started by the run).' : ' (external servers).'),
    `Data sets: ${info.sizes.small.toLocaleString('en-US')} and ${info.sizes.large.toLocaleString('en-US')} stored events` +
      (info.profile === 'quick' ? ' (quick mode: the large set is smaller than the full run\'s 1,000,000).' : '.'),
    '',
    'Method: every subject runs in the same process against the same servers, in interleaved rounds after a warm-up; ' +
      'closed loops (each worker waits for its reply); latencies are HDR-histogram percentiles; ratios compare figures from this run only. ' +
      'Hit: a 100-message conversation (LangChain Redis: a 20-message session, its best case). Miss: the entry is evicted before each read; ' +
      'both the store and the floor refill the last 50 (the cache size). Appends: one ~300-byte message per call, one conversation per worker; ' +
      'batches: 100 messages per call (the floor: one multi-row INSERT and one pipeline). ' +
      "Whole-history read: store.read(id) of a 100-message conversation vs one ordered SELECT and LangChain's getMessages of a 100-message session. " +
      'Embedded: the raw floor runs at the synchronous level of the durability the store is opened with. ' +
      'Growth: two databases loaded with the same probe data, VACUUM ANALYZE after loading.',
    '',
    `Targets: ${passed}/${targets.length} pass.`,
    '',
    targetsTable(targets),
    '',
    measurementsTable(results),
    ...(results.notes.length > 0 ? ['', ...results.notes.map((n) => `- ${n}`)] : []),
    '',
  ].join('\n');
}

export function writeJson(dir: string, info: RunInfo, results: Results, targets: TargetResult[]): { file: string; latest: string } {
  mkdirSync(dir, { recursive: true });
  const body = JSON.stringify(
    { ...info, targets, measurements: results.measurements, notes: results.notes },
    null,
    2,
  );
  const file = join(dir, `${info.startedAt.replace(/[:.]/g, '-')}.json`);
  const latest = join(dir, 'latest.json');
  writeFileSync(file, body);
  writeFileSync(latest, body);
  return { file, latest };
}
