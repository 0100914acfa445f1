/**
 * Ending a pg client waits for the server to close the socket; a hung (stopped) server never
 * does. These helpers bound that wait and then tear the socket down.
 */
import type pg from 'pg';

interface WithSocket {
  connection?: { stream?: { destroy(): void } };
}

export function destroyClient(client: pg.ClientBase): void {
  (client as unknown as WithSocket).connection?.stream?.destroy();
}

/** Resolves true when `promise` settled within `ms`, false on timeout. Never rejects. */
export async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function endClient(client: pg.Client, timeoutMs: number): Promise<void> {
  const ended = client.end();
  if (!(await settledWithin(ended, timeoutMs))) {
    destroyClient(client);
    await settledWithin(ended, 1_000);
  }
}
