/**
 * A `conversation.metadata-set` event back in the patch form `setMetadata` takes: the keys set,
 * and null for each key removed. Replays (imports, copies) write events again through it.
 */
import type { JsonObject, MetadataPatch } from './types.js';

export function metadataPatchOf(set: JsonObject, unset: readonly string[]): MetadataPatch {
  const patch: MetadataPatch = { ...set };
  // defineProperty: an unset `__proto__` key stays plain data instead of replacing the prototype.
  for (const key of unset) Object.defineProperty(patch, key, { value: null, enumerable: true, writable: true, configurable: true });
  return patch;
}
