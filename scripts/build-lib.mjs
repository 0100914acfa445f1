/**
 * `npm run build:lib`: the published library. Regenerates the embedded SQL/Lua module, then
 * compiles core/ into dist/ (JavaScript and .d.ts, tsconfig.lib.json). dist/renderer (the console
 * UI, built by Vite) and dist/packages (desktop installers) are left alone.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const KEEP = new Set(['renderer', 'packages']);

function run(args) {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`failed: node ${args.join(' ')}`);
}

export function buildLib() {
  run(['--import', 'tsx', join(root, 'scripts', 'embed-assets.ts')]);
  // Stale output from a file since removed must not ship.
  if (existsSync(dist)) for (const entry of readdirSync(dist)) if (!KEEP.has(entry)) rmSync(join(dist, entry), { recursive: true, force: true });
  run([join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.lib.json')]);
  chmodSync(join(dist, 'cli.js'), 0o755);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) buildLib();
