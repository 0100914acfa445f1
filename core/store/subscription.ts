/**
 * `subscribe`: a live tail of every conversation in commit order. A loop per subscriber reads
 * batches after its checkpoint; the log's wake hint (NOTIFY, local writes) shortens the wait, and
 * a poll covers a missed hint and events that become readable only when an older transaction ends.
 */
import type { EventLog } from '../backends/log.js';
import { describeError, type Logger } from '../logging/logger.js';
import type { EventsHandler, SubscribeFrom, Unsubscribe } from './types.js';

const BATCH = 500;
const POLL_MS = 250;
const RETRY_MS = 1000;

export interface SubscriptionHost {
  log: EventLog;
  logger: Logger;
  /** Appends by this store wait on it while an `'end'` checkpoint is being fixed. */
  holdWrites(until: Promise<unknown>): void;
}

export function startSubscription(host: SubscriptionHost, from: SubscribeFrom, onEvents: EventsHandler): Unsubscribe {
  let stopped = false;
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const stopWake = host.log.onWake(() => wake?.());

  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      wake = () => {
        wake = undefined;
        if (timer !== undefined) clearTimeout(timer);
        resolve();
      };
      timer = setTimeout(() => wake?.(), ms);
    });

  let pending: Promise<string> | undefined = from === 'end' ? host.log.endCheckpoint() : undefined;
  if (pending !== undefined) host.holdWrites(pending);

  void (async () => {
    let checkpoint: string | undefined = from === 'end' ? undefined : from;
    while (checkpoint === undefined) {
      try {
        checkpoint = await (pending ?? host.log.endCheckpoint());
      } catch (error) {
        pending = undefined;
        host.logger.warn('subscribe could not fix its start; retrying', describeError(error));
        await pause(RETRY_MS);
        if (stopped) return;
      }
    }
    while (!stopped) {
      try {
        const batch = await host.log.readAll(checkpoint, BATCH);
        if (stopped) return;
        if (batch.events.length > 0) {
          await onEvents(batch.events, batch.checkpoint);
          checkpoint = batch.checkpoint;
          continue;
        }
        checkpoint = batch.checkpoint;
        await pause(POLL_MS);
      } catch (error) {
        // The handler or the log failed: the batch is delivered again after a pause, never skipped.
        host.logger.warn('subscription batch failed; retrying', describeError(error));
        await pause(RETRY_MS);
      }
    }
  })();

  return () => {
    stopped = true;
    stopWake();
    wake?.();
  };
}
