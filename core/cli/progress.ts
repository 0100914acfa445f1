/**
 * Import progress on stderr. On a terminal, one bar redrawn in place (at most ten times a second);
 * elsewhere (logs, pipes, CI), a plain line at every tenth of the way and at least every ten
 * seconds, so a supervisor sees the import move without a screenful of carriage returns.
 * Hand-written: a bar is a few lines, and the package stays free of a dependency for it.
 */

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Progress {
  /** `done` items of `total` processed so far. */
  update(done: number): void;
  /** Final line (the bar is left complete). */
  finish(summary: string): void;
}

const REDRAW_MS = 100;
const LINE_EVERY_MS = 10_000;

function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${String(Math.ceil(seconds % 60)).padStart(2, '0')}s`;
}

export function createProgress(options: {
  total: number;
  label: string;
  unit: string;
  stream: ProgressStream;
  now?: () => number;
}): Progress {
  const { total, label, unit, stream } = options;
  const now = options.now ?? Date.now;
  const tty = stream.isTTY === true;
  const started = now();
  let lastDraw = 0;
  let lastStep = -1;
  let lastLine = started;
  let drawn = false;

  const rate = (done: number): number => {
    const seconds = (now() - started) / 1000;
    return seconds > 0 ? done / seconds : 0;
  };

  const bar = (done: number): string => {
    const fraction = total === 0 ? 1 : Math.min(1, done / total);
    const perSecond = rate(done);
    const eta = perSecond > 0 ? (total - done) / perSecond : Number.POSITIVE_INFINITY;
    const tail = ` ${String(Math.floor(fraction * 100)).padStart(3)}% ${formatCount(done)}/${formatCount(total)} ${unit} · ${formatCount(Math.round(perSecond))}/s · ETA ${formatDuration(eta)}`;
    const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - label.length - tail.length - 4));
    const filled = Math.round(fraction * width);
    return `${label} [${'█'.repeat(filled)}${'░'.repeat(width - filled)}]${tail}`;
  };

  return {
    update(done) {
      const t = now();
      if (tty) {
        if (t - lastDraw < REDRAW_MS && done < total) return;
        lastDraw = t;
        drawn = true;
        stream.write(`\r\u001b[2K${bar(done)}`);
        return;
      }
      const step = total === 0 ? 10 : Math.floor((done / total) * 10);
      if (step > lastStep || t - lastLine >= LINE_EVERY_MS) {
        lastStep = Math.max(step, lastStep);
        lastLine = t;
        stream.write(`${label}: ${formatCount(done)}/${formatCount(total)} ${unit} (${total === 0 ? 100 : Math.floor((done / total) * 100)}%)\n`);
      }
    },
    finish(summary) {
      if (tty && drawn) stream.write('\n');
      stream.write(`${summary}\n`);
    },
  };
}
