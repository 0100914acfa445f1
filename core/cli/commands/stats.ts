/**
 * `scrollback stats [--json]`: the store's health (one probe per backend) and metrics. A CLI
 * process has served no traffic itself, so with Redis the figures every live instance publishes
 * are shown too: those are the ones an operator wants.
 */
import { hostname } from 'node:os';
import type { InstanceStats, StoreStats, TierStats } from '../../metrics/types.js';
import { openStore } from '../../store/open-store.js';
import type { HealthReport } from '../../store/types.js';
import { write, type CliIo } from '../io.js';

function tierLine(name: string, tier: TierStats | undefined): string | null {
  if (tier === undefined) return null;
  const total = tier.hits + tier.misses;
  const ratio = total === 0 ? '   -' : `${((tier.hits / total) * 100).toFixed(1).padStart(5)}%`;
  const { p50, p95, p99 } = tier.latencyMs;
  return `  ${name.padEnd(6)} ${String(tier.hits).padStart(9)} ${String(tier.misses).padStart(9)} ${String(tier.errors).padStart(7)} ${ratio.padStart(7)}   ${p50.toFixed(2)} / ${p95.toFixed(2)} / ${p99.toFixed(2)} ms`;
}

function statsBlock(stats: StoreStats, indent = ''): string[] {
  const out = [`${indent}  tier        hits    misses  errors    hit%   p50 / p95 / p99`];
  for (const [name, tier] of [['l1', stats.tiers.l1], ['redis', stats.tiers.redis], ['log', stats.tiers.log]] as const) {
    const line = tierLine(name, tier);
    if (line !== null) out.push(indent + line);
  }
  const scripts = Object.entries(stats.cacheScripts).map(([k, v]) => `${k} ${v}`).join(', ');
  out.push(`${indent}  appends ${stats.appends}; cache scripts: ${scripts}`);
  return out;
}

export function formatStats(mode: string, health: HealthReport, stats: StoreStats, instances: InstanceStats[]): string {
  const out = [`Mode     ${mode}`, `Health   ${health.status}`];
  for (const [name, backend] of Object.entries(health.backends)) {
    if (backend === undefined) continue;
    const state = stats.backends[name as keyof StoreStats['backends']];
    const breaker = state?.breaker !== undefined ? `, breaker ${state.breaker}` : '';
    out.push(`  ${name.padEnd(9)} ${backend.status.padEnd(9)} ${backend.latencyMs.toFixed(1)} ms${breaker}${backend.error !== undefined ? `  (${backend.error})` : ''}`);
  }
  out.push('', 'This process', ...statsBlock(stats));
  const others = instances;
  if (others.length > 0) {
    out.push('', `Live instances (${others.length}, as last published)`);
    for (const instance of others) {
      out.push(`  ${instance.hostname} pid ${instance.pid} (${instance.instanceId}), up since ${instance.startedAt}, published ${instance.publishedAt}`);
      out.push(...statsBlock(instance.stats, '  '));
    }
  }
  return `${out.join('\n')}\n`;
}

export async function runStats(command: { json: boolean }, io: CliIo): Promise<number> {
  const store = await openStore();
  try {
    const health = await store.health();
    const instances = store.mode === 'hybrid' ? await store.cache.instances() : [];
    const stats = store.stats();
    // This process publishes too; its own figures are shown above.
    const published = instances.filter((i) => !(i.pid === process.pid && i.hostname === hostname()));
    await write(
      io.stdout,
      command.json
        ? `${JSON.stringify({ mode: store.mode, health, stats, instances: published }, null, 2)}\n`
        : formatStats(store.mode, health, stats, published),
    );
    return health.status === 'down' ? 1 : 0;
  } finally {
    await store.close();
  }
}
