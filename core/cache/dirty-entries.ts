/**
 * Conversations whose Redis entry may be behind the log (a write-through or invalidation that
 * failed): every tier bypasses them until a retried invalidation succeeds. Bounded in number; the
 * oldest one dropped falls back on the entry TTL as its staleness bound.
 */
import type { Logger } from '../logging/logger.js';

export interface DirtyEntriesOptions {
  /** Drops the entry (and tells other instances); throws while Redis is unreachable. */
  repair: (conversationId: string) => Promise<void>;
  logger: Logger;
  /** Default 100,000. */
  maxEntries?: number;
  /** How often repairs are retried while any are pending, default 1000 ms. */
  retryMs?: number;
}

export class DirtyEntries {
  private readonly ids = new Set<string>();
  private readonly maxEntries: number;
  private readonly retryMs: number;
  private timer: NodeJS.Timeout | undefined;
  private repairing = false;

  constructor(private readonly options: DirtyEntriesOptions) {
    this.maxEntries = options.maxEntries ?? 100_000;
    this.retryMs = options.retryMs ?? 1000;
  }

  has(conversationId: string): boolean {
    return this.ids.has(conversationId);
  }

  /** The entry is known repaired (an invalidation just succeeded). */
  delete(conversationId: string): void {
    this.ids.delete(conversationId);
  }

  add(conversationId: string): void {
    if (this.ids.size >= this.maxEntries) {
      const oldest = this.ids.values().next();
      if (!oldest.done) this.ids.delete(oldest.value);
      this.options.logger.error('too many conversations awaiting cache invalidation; relying on TTL for the oldest', { limit: this.maxEntries });
    }
    this.ids.add(conversationId);
    if (this.timer === undefined) {
      this.timer = setInterval(() => void this.repairAll(), this.retryMs);
      this.timer.unref();
    }
  }

  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Retries the repairs in order until Redis refuses one; the rest wait for the next round. */
  private async repairAll(): Promise<void> {
    if (this.repairing) return;
    this.repairing = true;
    try {
      for (const conversationId of [...this.ids]) {
        try {
          await this.options.repair(conversationId);
          this.ids.delete(conversationId);
        } catch {
          // Still unreachable (the failure was logged when the entry was marked).
          break;
        }
      }
    } finally {
      this.repairing = false;
      if (this.ids.size === 0) this.close();
    }
  }
}
