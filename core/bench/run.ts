/**
 * `npm run bench` (full) and `npm run bench:quick`: starts throwaway PostgreSQL and Redis servers,
 * runs every workload of issue 3 item 9 in one process, prints the targets with PASS/FAIL and a
 * Markdown table of every measurement, and writes the JSON to core/bench/results/.
 *
 * Flags: --quick, --baselines-only (no store: development aid), --only=hybrid,embedded,scale,
 * --out=DIR. BENCH_DATABASE_URL / BENCH_REDIS_URL point it at existing servers instead (it
 * creates and drops databases named bench_* there).
 */
import * as os from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { PROFILES } from './profile.js';
import { Results } from './results.js';
import { evaluateTargets } from './targets.js';
import { renderMarkdown, writeJson, type RunInfo } from './report.js';
import { startServers } from './servers.js';
import { loadOpenStore } from './open-store.js';
import { runHybridWorkloads } from './workloads/hybrid.js';
import { runEmbeddedWorkloads } from './workloads/embedded.js';
import { runScaleWorkloads } from './workloads/scale.js';
import type { WorkloadContext } from './workloads/context.js';

type Section = 'hybrid' | 'embedded' | 'scale';
const SECTIONS: readonly Section[] = ['hybrid', 'embedded', 'scale'];

interface Args {
  quick: boolean;
  baselinesOnly: boolean;
  only: Section[];
  out: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { quick: false, baselinesOnly: false, only: [...SECTIONS], out: join(dirname(fileURLToPath(import.meta.url)), 'results') };
  for (const arg of argv) {
    if (arg === '--quick') args.quick = true;
    else if (arg === '--baselines-only') args.baselinesOnly = true;
    else if (arg.startsWith('--only=')) {
      const only = arg.slice('--only='.length).split(',');
      const unknown = only.filter((s) => !SECTIONS.includes(s as Section));
      if (unknown.length > 0) throw new Error(`unknown section(s) ${unknown.join(', ')}; sections: ${SECTIONS.join(', ')}`);
      args.only = only as Section[];
    } else if (arg.startsWith('--out=')) args.out = arg.slice('--out='.length);
    else throw new Error(`unknown argument ${arg}; usage: run.ts [--quick] [--baselines-only] [--only=hybrid,embedded,scale] [--out=DIR]`);
  }
  return args;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const profile = PROFILES[args.quick ? 'quick' : 'full'];
  const startedAt = new Date();
  const log = (line: string): void => {
    const seconds = ((Date.now() - startedAt.getTime()) / 1000).toFixed(0).padStart(4);
    process.stderr.write(`[${seconds}s] ${line}\n`);
  };

  const results = new Results();
  const ctx: WorkloadContext = { profile, results, openStore: args.baselinesOnly ? null : await loadOpenStore(), log };
  const sizes = { small: profile.scale.smallEvents, large: profile.scale.largeEvents };
  if (profile.name === 'quick') results.notes.push(`quick mode: the large data set holds ${sizes.large.toLocaleString('en-US')} events, not 1,000,000`);
  if (!ctx.openStore) results.notes.push('baselines only: the store was not measured');

  log(`${profile.name} run; starting throwaway PostgreSQL and Redis`);
  const servers = await startServers();
  let sqliteVersion = 'not measured';
  try {
    if (args.only.includes('hybrid')) {
      log('hybrid: append, tail hit, tail miss');
      await runHybridWorkloads(ctx, { databaseUrl: await servers.createDatabase('bench_hybrid'), redisUrl: servers.redisUrl });
    }
    if (args.only.includes('embedded')) {
      log('embedded: batched append, tail');
      sqliteVersion = await runEmbeddedWorkloads(ctx);
    }
    if (args.only.includes('scale')) {
      log(`scale: loading ${sizes.small.toLocaleString('en-US')} and ${sizes.large.toLocaleString('en-US')} events`);
      await runScaleWorkloads(
        ctx,
        { url: await servers.createDatabase('bench_scale_small'), events: sizes.small },
        { url: await servers.createDatabase('bench_scale_large'), events: sizes.large },
      );
    }
  } finally {
    await servers.stop();
  }

  const finishedAt = new Date();
  const cpus = os.cpus();
  const info: RunInfo = {
    profile: profile.name,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationSeconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000),
    machine: {
      cpus: cpus.length,
      cpuModel: cpus[0]?.model.trim() ?? 'unknown',
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      platform: `${os.type()} ${os.release()} ${os.arch()}`,
      node: process.versions.node,
    },
    servers: { ...servers.versions, sqlite: sqliteVersion, throwaway: !servers.external },
    sizes,
  };
  const targets = evaluateTargets(results, sizes);
  process.stdout.write(renderMarkdown(info, results, targets));
  const written = writeJson(args.out, info, results, targets);
  log(`wrote ${written.file} and ${written.latest} (${info.durationSeconds} s)`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
