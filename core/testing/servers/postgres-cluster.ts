/**
 * Throwaway PostgreSQL clusters for tests: `initdb` in a temp dir, loopback only, a free port, trust
 * auth, fsync off. Tests can kill (crash), pause (hang) and restart them to show how the store
 * behaves when the log disappears. Never touches the system's PostgreSQL.
 *
 * Orphans: the postmaster runs under a tiny `sh` guard whose stdin is a pipe from this process.
 * When this process dies in any way (even SIGKILL) the pipe closes, and the guard shuts the server
 * down and removes its temp dir. A normal exit also kills the server synchronously ('exit' hook).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';
import type { ThrowawayServer } from './throwaway-server.js';

/** A throwaway cluster; `url` is postgres://postgres@127.0.0.1:PORT/postgres. */
export interface PostgresCluster extends ThrowawayServer {
  /**
   * `pg_ctl stop -m immediate`: the server quits at once without a checkpoint, dropping every
   * connection (crash recovery on the next `start()`), as an operator's emergency stop does.
   */
  stopImmediate(): Promise<void>;
}

export interface PostgresClusterOptions {
  port?: number;
  /** How long to wait for the server to accept a query, default 30 s. */
  readyTimeoutMs?: number;
}

const INSTALL_HINT = 'apt-get install -y postgresql';
const PORT_ATTEMPTS = 5;
const SUPERUSER = 'postgres';

// Runs the postmaster in the background and waits for a line (or EOF) on stdin:
//   "detach" → leave it (it was killed by us), "stop" → fast shutdown, EOF → the owner died:
//   immediate shutdown and remove the temp dir. `wait` reaps the postmaster, so its pid cannot be
//   reused (nor linger as a zombie that blocks the next start's lock-file check).
const GUARD_SCRIPT = `
"$1" -D "$2" & pid=$!
cmd=
IFS= read -r cmd
case "$cmd" in
  detach) ;;
  stop) kill -INT "$pid" 2>/dev/null ;;
  *) kill -QUIT "$pid" 2>/dev/null ;;
esac
wait "$pid"
[ -z "$cmd" ] && rm -rf "$3"
exit 0
`;

interface Running {
  guard: ChildProcess;
  exited: Promise<void>;
}

interface Tracked {
  dir: string;
  dataDir: string;
  running: Running | null;
}

const live = new Set<Tracked>();
let exitHookInstalled = false;

export async function startPostgresCluster(options: PostgresClusterOptions = {}): Promise<PostgresCluster> {
  const binDir = findBinDir();
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? lookupUser(SUPERUSER) : null;

  const dir = mkdtempSync(join(tmpdir(), 'scrollback-pg-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const tracked: Tracked = { dir, dataDir, running: null };
  installExitHook();
  live.add(tracked);

  const asOwner = (command: string, args: string[]): [string, string[]] =>
    asRoot ? ['runuser', ['-u', SUPERUSER, '--', command, ...args]] : [command, args];

  let port = options.port ?? 0;
  let paused = false;
  const resume = (): void => {
    if (!paused) return;
    signalServer(dataDir, 'SIGCONT');
    paused = false;
  };

  const launch = async (): Promise<void> => {
    if (tracked.running !== null) throw new Error(`postgres on port ${port} is already running`);
    writePortConfig(dataDir, port);
    const logFd = openSync(logFile, 'a');
    const [command, args] = asOwner('sh', ['-c', GUARD_SCRIPT, 'scrollback-pg-guard', join(binDir, 'postgres'), dataDir, dir]);
    let guard: ChildProcess;
    try {
      // Own process group: a Ctrl-C to the test runner reaches the guard through EOF, in order.
      guard = spawn(command, args, { stdio: ['pipe', logFd, logFd], detached: true });
    } finally {
      closeSync(logFd);
    }
    const exited = new Promise<void>((resolve) => {
      if (guard.exitCode !== null || guard.signalCode !== null) resolve();
      else guard.once('exit', () => resolve());
    });
    guard.once('error', () => undefined); // spawn failure surfaces through `exited` + waitReady
    guard.unref();
    const stdin = guard.stdin;
    if (stdin !== null && 'unref' in stdin && typeof stdin.unref === 'function') stdin.unref();
    tracked.running = { guard, exited };
    try {
      await waitReady(urlFor(port), exited, readyTimeoutMs, logFile);
    } catch (error) {
      await crash(tracked);
      throw error;
    }
  };

  try {
    if (asRoot && owner !== null) chownSync(dir, owner.uid, owner.gid);
    chmodSync(dir, 0o700);
    const [command, args] = asOwner(join(binDir, 'initdb'), [
      '-D', dataDir, '-U', SUPERUSER, '--auth=trust', '--no-sync', '--no-instructions', '-E', 'UTF8', '--locale=C.UTF-8',
    ]);
    runSync(command, args, 'initdb');
    appendBaseConfig(dataDir, dir);

    // A free port can be taken by someone else before postgres binds it: retry with another one.
    for (let attempt = 1; ; attempt++) {
      if (options.port === undefined) port = await freePort();
      try {
        await launch();
        break;
      } catch (error) {
        const portTaken = /could not (bind|create listen socket)|Address already in use/i.test(tail(logFile));
        if (!(options.port === undefined && portTaken && attempt < PORT_ATTEMPTS)) throw error;
        writeFileSync(logFile, '');
      }
    }
  } catch (error) {
    live.delete(tracked);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    url: urlFor(port),
    port,
    async stop() {
      if (!live.has(tracked)) return;
      resume();
      const running = tracked.running;
      if (running !== null) {
        running.guard.ref(); // a standalone script must not exit while the server shuts down
        running.guard.stdin?.end('stop\n');
        await running.exited;
        tracked.running = null;
      }
      live.delete(tracked);
      rmSync(dir, { recursive: true, force: true });
    },
    async kill() {
      if (tracked.running === null) throw new Error(`postgres on port ${port} is not running`);
      paused = false;
      await crash(tracked);
    },
    async stopImmediate() {
      const running = tracked.running;
      if (running === null) throw new Error(`postgres on port ${port} is not running`);
      resume();
      const [command, args] = asOwner(join(binDir, 'pg_ctl'), ['stop', '-m', 'immediate', '-w', '-D', dataDir]);
      runSync(command, args, 'pg_ctl stop');
      // The postmaster is gone: let the guard reap it without signalling anything.
      running.guard.ref();
      running.guard.stdin?.end('detach\n');
      await running.exited;
      tracked.running = null;
    },
    async start() {
      if (!live.has(tracked)) throw new Error('cluster was stopped; start a new one');
      if (paused) {
        resume();
        return;
      }
      await launch();
    },
    pause() {
      if (tracked.running === null) throw new Error(`postgres on port ${port} is not running`);
      signalServer(dataDir, 'SIGSTOP');
      paused = true;
    },
    resume,
  };
}

function urlFor(port: number): string {
  return `postgres://${SUPERUSER}@127.0.0.1:${port}/postgres`;
}

/** Kills every server process, then lets the guard reap the postmaster. Keeps the data dir. */
async function crash(tracked: Tracked): Promise<void> {
  const running = tracked.running;
  if (running === null) return;
  const killed = killServerSync(tracked.dataDir);
  running.guard.ref();
  running.guard.stdin?.end('detach\n');
  await running.exited;
  tracked.running = null;
  await waitGone(killed);
}

/**
 * SIGKILLs the postmaster and its children. The postmaster is stopped first so it forks nothing
 * between listing its children and dying. Backends are killed too: left alone they would exit on
 * their own a little later, and a restart would meet their shared memory still attached.
 */
function killServerSync(dataDir: string): number[] {
  const postmaster = postmasterPid(dataDir);
  if (postmaster === null) return [];
  if (!sendSignal(postmaster, 'SIGSTOP')) return [];
  const pids = [postmaster, ...childrenOf(postmaster)];
  for (const pid of pids) sendSignal(pid, 'SIGKILL');
  return pids;
}

function signalServer(dataDir: string, signal: 'SIGSTOP' | 'SIGCONT'): void {
  const postmaster = postmasterPid(dataDir);
  if (postmaster === null) throw new Error('postgres is not running (no postmaster.pid)');
  // Children first on stop (so nothing wakes the others), postmaster first on continue.
  const children = childrenOf(postmaster);
  const order = signal === 'SIGSTOP' ? [...children, postmaster] : [postmaster, ...children];
  for (const pid of order) sendSignal(pid, signal);
}

function postmasterPid(dataDir: string): number | null {
  try {
    const first = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n', 1)[0] ?? '';
    const pid = Number.parseInt(first, 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function childrenOf(parent: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat !== null && stat.ppid === parent) children.push(Number(entry));
  }
  return children;
}

/** State and parent pid from /proc/PID/stat; the command name may contain spaces and parens. */
function procStat(pid: number): { state: string; ppid: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', ppid: Number(fields[1]) };
  } catch {
    return null;
  }
}

function sendSignal(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Waits until the processes are gone; a zombie nobody reaps counts as gone (it holds no memory). */
async function waitGone(pids: number[], timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    const alive = pids.filter((pid) => {
      const stat = procStat(pid);
      return stat !== null && stat.state !== 'Z' && stat.state !== 'X';
    });
    if (alive.length === 0) return;
    if (Date.now() > deadline) throw new Error(`postgres processes ${alive.join(', ')} did not exit`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/** Polls a real connection until the server answers, the guard exits, or the deadline passes. */
async function waitReady(url: string, exited: Promise<void>, timeoutMs: number, logFile: string): Promise<void> {
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
    if (hasExited) throw new Error(`postgres exited during start-up:\n${tail(logFile)}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      lastError = error;
    } finally {
      await client.end().catch(() => undefined);
    }
    if (Date.now() > deadline) {
      throw new Error(`postgres did not become ready within ${timeoutMs} ms:\n${tail(logFile)}`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

function appendBaseConfig(dataDir: string, socketDir: string): void {
  // fsync off: an OS crash may lose data, which throwaway servers can afford. synchronous_commit
  // stays on: a killed server must keep every commit it acknowledged, as the crash tests check.
  const settings = [
    "listen_addresses = '127.0.0.1'",
    `unix_socket_directories = '${socketDir}'`,
    'fsync = off',
    'full_page_writes = off',
    'max_connections = 200',
    'shared_buffers = 128MB',
    "log_min_messages = 'warning'",
    "include_if_exists = 'port.conf'",
  ];
  const path = join(dataDir, 'postgresql.conf');
  writeFileSync(path, `${readFileSync(path, 'utf8')}\n# scrollback test cluster\n${settings.join('\n')}\n`);
}

function writePortConfig(dataDir: string, port: number): void {
  writeFileSync(join(dataDir, 'port.conf'), `port = ${port}\n`);
}

function findBinDir(): string {
  const candidates: string[] = [];
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    // pg_config is in the -dev package; the server package alone still has the versioned dirs.
  }
  try {
    const versions = readdirSync('/usr/lib/postgresql')
      .filter((name) => /^\d+$/.test(name))
      .sort((a, b) => Number(b) - Number(a));
    for (const version of versions) candidates.push(join('/usr/lib/postgresql', version, 'bin'));
  } catch {
    // no Debian-style install
  }
  const found = candidates.find((dir) => ['initdb', 'postgres'].every((bin) => existsSync(join(dir, bin))));
  if (found === undefined) {
    throw new Error(`PostgreSQL server binaries (initdb, postgres) not found; install them with: ${INSTALL_HINT}`);
  }
  return found;
}

function lookupUser(name: string): { uid: number; gid: number } {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    if (Number.isInteger(uid) && Number.isInteger(gid)) return { uid, gid };
  } catch {
    // fall through: no such user
  }
  throw new Error(`initdb refuses to run as root and user "${name}" does not exist; install it with: ${INSTALL_HINT}`);
}

function runSync(command: string, args: string[], what: string): void {
  try {
    execFileSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  } catch (error) {
    const stderr = (error as { stderr?: unknown }).stderr;
    throw new Error(`${what} failed: ${typeof stderr === 'string' ? stderr.trim() : String(error)}`, { cause: error });
  }
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no server log)';
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: kill outright and remove the dir; the guard reaps.
  process.on('exit', () => {
    for (const tracked of live) {
      if (tracked.running !== null) killServerSync(tracked.dataDir);
      rmSync(tracked.dir, { recursive: true, force: true });
    }
    live.clear();
  });
}
