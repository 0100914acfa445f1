/** Public shapes of the fallback outbox ('hybrid+fallback' mode). Times are ISO 8601 UTC strings. */

/** An append the log refused for good after it was queued; kept until retried or discarded. */
export interface DeadLetter {
  id: string;
  conversationId: string;
  /** Ids of the messages of the queued append, in order. */
  messageIds: string[];
  /** Why the log refused it (the error's message), never message content. */
  reason: string;
  /** The refusing error's stable code (e.g. 'CONVERSATION_DELETED'), null when it had none. */
  errorCode: string | null;
  queuedAt: string;
  failedAt: string;
}

/**
 * The outbox in `stats().fallback`. `queued`, `deadLettered` and `oldestQueuedAt` describe the
 * outbox file now (every process sharing it); `drained` counts the entries this instance replayed
 * to the log since it opened.
 */
export interface FallbackStats {
  queued: number;
  drained: number;
  deadLettered: number;
  /** When the oldest entry still queued was queued; null when none is. */
  oldestQueuedAt: string | null;
}

/** `store.fallback`: the outbox's dead letters, for operators. */
export interface FallbackApi {
  /** Dead letters, oldest failure first. */
  deadLetters(): Promise<DeadLetter[]>;
  /** Queues a dead letter again, behind what its conversation has queued; ValidationError('id') when unknown. */
  retry(id: string): Promise<void>;
  /** Deletes a dead letter for good; ValidationError('id') when unknown. */
  discard(id: string): Promise<void>;
}
