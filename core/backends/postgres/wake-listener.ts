/**
 * LISTEN on one dedicated connection (never a pooled one: LISTEN is session state, and a pooled
 * client would hand it to unrelated queries). A notification is only a hint that new events may
 * be readable. Once LISTEN is in place (first time and after every reconnect) the listeners are
 * woken once: notifications sent before that are lost, and a reader can tell it is now covered.
 */
import type pg from 'pg';
import { destroyClient, endClient } from './client-shutdown.js';

// Loaded with the module rather than by a static import, which a bundler would hoist to the top of
// an application's bundle and so load in every mode: pg is an optional peer dependency.
const { default: driver } = await import('pg');

export const WAKE_CHANNEL = 'scrollback_events';
const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5_000;

export interface WakeListener {
  add(listener: () => void): () => void;
  /** Wakes this process's listeners at once (after a local commit), without a round trip. */
  emitLocal(): void;
  close(): Promise<void>;
}

export function createWakeListener(
  clientConfig: pg.ClientConfig,
  closeTimeoutMs: number,
  onError: (error: unknown) => void,
  channel: string = WAKE_CHANNEL,
): WakeListener {
  const listeners = new Set<() => void>();
  let client: pg.Client | null = null;
  let started = false;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  let backoff = MIN_BACKOFF_MS;

  const emit = (): void => {
    for (const listener of [...listeners]) {
      try {
        listener();
      } catch (error) {
        onError(error);
      }
    }
  };

  const scheduleReconnect = (): void => {
    if (closed || retry !== undefined) return;
    retry = setTimeout(() => {
      retry = undefined;
      void connect();
    }, backoff);
    retry.unref();
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  };

  const connect = async (): Promise<void> => {
    if (closed) return;
    const next = new driver.Client(clientConfig);
    let dropped = false;
    const drop = (error?: unknown): void => {
      if (dropped) return;
      dropped = true;
      if (error !== undefined) onError(error);
      if (client === next) client = null;
      destroyClient(next);
      scheduleReconnect();
    };
    next.on('error', drop);
    next.on('end', () => drop());
    next.on('notification', (message) => {
      if (message.channel === channel) emit();
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${channel}`);
    } catch (error) {
      drop(error);
      return;
    }
    if (closed) {
      await endClient(next, closeTimeoutMs);
      return;
    }
    client = next;
    backoff = MIN_BACKOFF_MS;
    emit();
  };

  return {
    add(listener) {
      listeners.add(listener);
      if (!started && !closed) {
        started = true;
        void connect();
      }
      return () => {
        listeners.delete(listener);
      };
    },
    emitLocal() {
      emit();
    },
    async close() {
      closed = true;
      listeners.clear();
      if (retry !== undefined) clearTimeout(retry);
      const current = client;
      client = null;
      if (current !== null) await endClient(current, closeTimeoutMs);
    },
  };
}
