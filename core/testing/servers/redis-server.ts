/**
 * Throwaway `redis-server` processes for tests: loopback only, a free port, no persistence, a temp
 * dir of their own. Tests can kill, restart, pause (SIGSTOP) and resume them to show how the store
 * behaves when Redis disappears or hangs. Never touches the system's Redis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from './free-port.js';
import type { ThrowawayServer } from './throwaway-server.js';

/** A throwaway redis-server without persistence: after `kill`, `start` brings it back empty. */
export type RedisServer = ThrowawayServer;

export interface RedisServerOptions {
  port?: number;
  /** Extra command-line arguments, e.g. `['--cluster-enabled', 'yes']`. */
  args?: string[];
  /** How long to wait for PING to answer, default 10 s. */
  readyTimeoutMs?: number;
}

const INSTALL_HINT = 'apt-get install -y redis-server';
const PORT_ATTEMPTS = 5;

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = findBinary('redis-server');
  if (binary === null) {
    throw new Error(`redis-server not found on PATH; install it with: ${INSTALL_HINT}`);
  }
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  const extraArgs = options.args ?? [];

  let dir: string | null = null;
  let child: ChildProcess | null = null;
  let port = options.port ?? 0;

  const launch = async (): Promise<void> => {
    if (child !== null) throw new Error(`redis-server on port ${port} is already running`);
    dir ??= mkdtempSync(join(tmpdir(), 'scrollback-redis-'));
    const proc = spawnServer(binary, port, dir, extraArgs);
    child = proc.child;
    try {
      await waitReady(port, proc, readyTimeoutMs);
    } catch (error) {
      await terminate(proc.child, 'SIGKILL');
      child = null;
      throw error;
    }
  };

  // A free port can be taken by someone else before redis binds it: retry with another one.
  for (let attempt = 1; ; attempt++) {
    if (options.port === undefined) port = await freePort();
    try {
      await launch();
      break;
    } catch (error) {
      const retryable = options.port === undefined && error instanceof PortInUseError && attempt < PORT_ATTEMPTS;
      if (!retryable) {
        removeDir(dir);
        throw error;
      }
    }
  }

  const handle: Tracked = {
    kill: () => {
      child?.kill('SIGKILL');
      removeDir(dir);
    },
  };
  live.add(handle);

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      const current = child;
      child = null;
      if (current !== null) {
        current.kill('SIGCONT'); // a paused server would never handle SIGTERM
        await terminate(current, 'SIGTERM');
      }
      removeDir(dir);
      dir = null;
      live.delete(handle);
    },
    async kill() {
      const current = child;
      child = null;
      if (current !== null) await terminate(current, 'SIGKILL');
    },
    async start() {
      live.add(handle);
      await launch();
    },
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
  };
}

class PortInUseError extends Error {}

interface Spawned {
  child: ChildProcess;
  /** Last lines of the server's output, for error messages. */
  output: () => string;
  exited: Promise<number | null>;
}

function spawnServer(binary: string, port: number, dir: string, extraArgs: string[]): Spawned {
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--save', '',
    '--appendonly', 'no',
    '--dir', dir,
    '--daemonize', 'no',
    '--logfile', '',
    '--loglevel', 'warning',
    ...extraArgs,
  ];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(null));
  });
  // A forgotten server must not keep the test process alive; the exit hook kills it.
  child.unref();
  (child.stdout as unknown as { unref?: () => void } | null)?.unref?.();
  (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
  return { child, output: () => output, exited };
}

async function waitReady(port: number, proc: Spawned, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void proc.exited.then((code) => {
    exitCode = code;
  });
  for (;;) {
    if (exitCode !== undefined) {
      const out = proc.output();
      if (/address already in use/i.test(out)) throw new PortInUseError(`port ${port} is in use`);
      throw new Error(`redis-server exited (code ${String(exitCode)}) before answering:\n${out}`);
    }
    if (await answersAs(port, proc.child.pid)) return;
    if (Date.now() > deadline) {
      throw new Error(`redis-server on port ${port} did not answer within ${timeoutMs} ms:\n${proc.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25)); // poll interval, not synchronisation
  }
}

/**
 * True when the server on `port` answers and is the process we started (another server already on
 * the port would answer PING too): one raw `INFO server` over TCP, compared on `process_id`.
 */
function answersAs(port: number, pid: number | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('INFO server\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (reply.startsWith('-')) return done(false); // e.g. LOADING
      const header = /^\$(\d+)\r\n/.exec(reply);
      if (header === null || header[1] === undefined) return;
      if (Buffer.byteLength(reply) < header[0].length + Number(header[1])) return;
      done(new RegExp(`\\bprocess_id:${String(pid)}\\r\\n`).test(reply));
    });
  });
}

/** Sends `signal` and waits for the exit; escalates to SIGKILL after 5 s. */
async function terminate(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

function findBinary(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this PATH entry
    }
  }
  return null;
}

function removeDir(dir: string | null): void {
  if (dir !== null) rmSync(dir, { recursive: true, force: true });
}

// Servers still running when the process ends (a test that failed before stop(), Ctrl-C) are
// killed so they don't outlive the run on a shared machine.
interface Tracked {
  kill(): void;
}
const live = new Set<Tracked>();
let hooked = false;
hookExit();

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  const killAll = (): void => {
    for (const server of live) server.kill();
    live.clear();
  };
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAll();
      process.removeListener(signal, onSignal);
      // Keep the default behaviour (exit) unless someone else handles this signal.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}
