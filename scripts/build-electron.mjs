/**
 * Compiles the Electron shell and the core it starts into electron/dist (tsc, same layout as the
 * sources; the SQL migrations and Lua scripts are embedded in the compiled code, the copies beside
 * it are for reading), and writes the entry
 * point electron-builder.yml names (electron/dist/main.js), with a package.json beside it so that
 * `electron electron/dist` starts the shell in development (the root package.json's main is the
 * npm library).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'electron', 'dist');

export function buildElectron() {
  rmSync(out, { recursive: true, force: true });
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'electron', 'tsconfig.json')], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('compiling the Electron shell failed (see above)');
  if (existsSync(join(root, 'migrations'))) cpSync(join(root, 'migrations'), join(out, 'migrations'), { recursive: true });
  // Runtime assets beside the code (Lua scripts…) keep their place relative to the compiled files.
  cpSync(join(root, 'core'), join(out, 'core'), {
    recursive: true,
    filter: (source) => {
      if (/[\\/]core[\\/](bench|testing)([\\/]|$)/.test(source)) return false;
      return statSync(source).isDirectory() || !/\.(ts|cts|mts|tsx)$/.test(source);
    },
  });
  writeFileSync(join(out, 'main.js'), "import './electron/main.js';\n");
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  // The app's name decides its userData folder: the same as the packaged app's (extraMetadata).
  const app = { name: 'scrollback', version, private: true, type: 'module', main: 'main.js' };
  writeFileSync(join(out, 'package.json'), `${JSON.stringify(app, null, 2)}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) buildElectron();
