/** The streams a command writes to, and a write that honours backpressure. */

export interface OutputStream {
  write(chunk: string, callback?: (error?: Error | null) => void): boolean;
  once(event: 'drain' | 'error', listener: (error?: unknown) => void): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
}

/** Writes and, when the stream's buffer is full, waits for it to drain. */
export async function write(stream: OutputStream, text: string): Promise<void> {
  if (!stream.write(text)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
}
