/** Where the console keeps its data and finds the renderer build. */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

type Env = Record<string, string | undefined>;

/** `$SCROLLBACK_CONSOLE_DIR`, else `$XDG_CONFIG_HOME/scrollback`, else `~/.config/scrollback`. */
export function consoleDataDir(env: Env = process.env): string {
  if (env.SCROLLBACK_CONSOLE_DIR) return resolve(env.SCROLLBACK_CONSOLE_DIR);
  const config = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.length > 0 ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(config, 'scrollback');
}

/** `$SCROLLBACK_CONSOLE_PORT`, else 0 (a free port). */
export function consolePort(env: Env = process.env): number {
  const raw = env.SCROLLBACK_CONSOLE_PORT;
  if (raw === undefined || raw === '') return 0;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('SCROLLBACK_CONSOLE_PORT must be a port number');
  return port;
}

/** The repository (or packaged app) root: two levels above core/console. */
export function appRoot(): string {
  return resolve(fileURLToPath(new URL('../..', import.meta.url)));
}

export function rendererDir(root: string = appRoot()): string {
  return join(root, 'dist', 'renderer');
}
