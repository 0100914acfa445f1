/**
 * `scrollback tail`: events as JSON lines, in commit order. With -f, the store's live subscription
 * until SIGINT/SIGTERM (then a clean exit 0); without, the latest N events (or all of them with
 * --from start), read from the log once. The log has no backward global read, so finding the latest
 * N reads it from the start: cheap on a development store, slow on a big production log.
 */
import type { StoredEvent } from '../../events/types.js';
import { openStore } from '../../store/open-store.js';
import type { Command } from '../args.js';
import { openLog } from '../environment.js';
import { write, type CliIo } from '../io.js';

type TailCommand = Extract<Command, { name: 'tail' }>;

const BATCH = 1000;

function lines(events: readonly StoredEvent[]): string {
  return events.map((event) => `${JSON.stringify(event)}\n`).join('');
}

async function printLatest(command: TailCommand, io: CliIo): Promise<number> {
  const log = await openLog();
  try {
    await log.migrate();
    const keep = command.from === 'start' ? null : command.lines;
    const ring: StoredEvent[] = [];
    let checkpoint = 'start';
    for (;;) {
      const batch = await log.readAll(checkpoint, BATCH);
      checkpoint = batch.checkpoint;
      if (batch.events.length === 0) break;
      if (keep === null) {
        await write(io.stdout, lines(batch.events));
        continue;
      }
      ring.push(...batch.events);
      if (ring.length > keep) ring.splice(0, ring.length - keep);
    }
    if (keep !== null) await write(io.stdout, lines(ring));
    return 0;
  } finally {
    await log.close();
  }
}

/** Follows until a signal; resolves with the exit code. */
async function follow(command: TailCommand, io: CliIo, signals: NodeJS.EventEmitter): Promise<number> {
  const store = await openStore();
  let failed: unknown;
  const stopped = new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    signals.once('SIGINT', stop);
    signals.once('SIGTERM', stop);
    // A reader that went away (`| head`): stop as if asked to.
    io.stdout.once('error', (error) => {
      if ((error as { code?: unknown }).code !== 'EPIPE') failed = error;
      resolve();
    });
  });
  const unsubscribe = store.subscribe({ from: command.from }, (events) => write(io.stdout, lines(events)));
  await write(io.stderr, `tail: following ${command.from === 'start' ? 'every event from the start' : 'new events'} (Ctrl+C to stop)\n`);
  try {
    await stopped;
  } finally {
    unsubscribe();
    await store.close();
  }
  if (failed !== undefined) throw failed;
  return 0;
}

export async function runTail(command: TailCommand, io: CliIo, signals: NodeJS.EventEmitter = process): Promise<number> {
  return command.follow ? follow(command, io, signals) : printLatest(command, io);
}
