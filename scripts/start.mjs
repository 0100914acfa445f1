/**
 * `npm start`: builds the renderer when it is missing or older than its sources, then opens the
 * desktop app if the Electron binary is installed, else serves the same UI on a loopback address (web
 * mode) and prints its URL with the token. Runs until SIGINT/SIGTERM.
 *
 * Electron is detected without `require('electron')`: that call tries to download the binary
 * when it is missing, which must not happen on a machine without network.
 *
 * Environment: SCROLLBACK_CONSOLE_DIR (data), SCROLLBACK_CONSOLE_PORT (port), SCROLLBACK_WEB=1
 * (web mode even where Electron exists).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildElectron } from './build-electron.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Newest modification time under `path` (files only), 0 when absent. */
export function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

export function rendererIsStale(appRoot = root) {
  const built = join(appRoot, 'dist', 'renderer', 'index.html');
  if (!existsSync(built)) return true;
  const sources = Math.max(newestMtime(join(appRoot, 'renderer')), newestMtime(join(appRoot, 'vite.config.ts')), newestMtime(join(appRoot, 'core', 'console', 'api.ts')));
  return sources > statSync(built).mtimeMs;
}

/** The Electron executable if it is really installed; null otherwise. */
export function electronBinary(appRoot = root) {
  const pkg = join(appRoot, 'node_modules', 'electron');
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const relative = readFileSync(pathFile, 'utf8').trim();
  const base = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(pkg, 'dist');
  const binary = join(base, relative);
  return existsSync(binary) ? binary : null;
}

function buildRenderer() {
  if (!existsSync(join(root, 'renderer'))) return;
  if (!rendererIsStale()) return;
  process.stderr.write('Building the console UI (vite build)…\n');
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write('The UI build failed; see the output above.\n');
    process.exit(result.status ?? 1);
  }
}

/** Runs a child until it exits; our SIGINT/SIGTERM are passed on so it can close cleanly. */
function run(command, args, env = process.env) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit', env });
  const forward = (signal) => {
    if (child.exitCode === null) child.kill(signal);
  };
  process.on('SIGINT', () => forward('SIGINT'));
  process.on('SIGTERM', () => forward('SIGTERM'));
  child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1)));
}

function main() {
  buildRenderer();
  const electron = process.env.SCROLLBACK_WEB === '1' ? null : electronBinary();
  if (electron !== null) {
    buildElectron();
    process.stderr.write('Opening the Scrollback desktop app…\n');
    run(electron, [join(root, 'electron', 'dist')]);
    return;
  }
  process.stderr.write('Electron is not installed here: serving the console in the browser instead.\n');
  run(process.execPath, ['--import', 'tsx', join(root, 'core', 'console', 'cli.ts')]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
