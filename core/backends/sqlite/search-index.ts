/**
 * Message text reaches the FTS5 index behind the append, not inside it: tokenising would otherwise
 * double the cost of every append. Like a GIN pending list, the backlog is indexed in batches, by
 * an idle timer and always before a search reads the index, so searches never miss a committed
 * message. The invariant the redaction and delete paths rely on: a message is in the index exactly
 * when its position is at or below the watermark and it is not redacted.
 */
import type { Statements } from './statements.js';

/** Positions covered per indexing transaction, so a large backlog never holds the write lock long. */
export const INDEX_BATCH_POSITIONS = 5000;

export function indexedThrough(st: Statements): number {
  return st.searchWatermark.get()?.indexed_through ?? 0;
}

/** True when every committed event is covered by the index (a cheap read, no write lock). */
export function isIndexCurrent(st: Statements): boolean {
  return indexedThrough(st) >= (st.lastIssuedPosition.get()?.seq ?? 0);
}

/** Indexes the next batch; run inside a write transaction. Returns true when the index is current. */
export function indexNextBatch(st: Statements): boolean {
  const after = indexedThrough(st);
  const last = st.lastIssuedPosition.get()?.seq ?? 0;
  if (after >= last) return true;
  const through = Math.min(last, after + INDEX_BATCH_POSITIONS);
  st.indexMessages.run(after, through);
  st.setSearchWatermark.run(through);
  return through >= last;
}
