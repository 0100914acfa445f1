/** Input limits; configurable through `StoreConfig.limits`. */
export interface Limits {
  /** Ids and userIds, in code points. */
  maxIdLength: number;
  /** Message content, in UTF-8 bytes. */
  maxContentBytes: number;
  /** Serialised metadata, in UTF-8 bytes (message metadata and append metadata each). */
  maxMetadataBytes: number;
  /** Messages in one append. */
  maxBatch: number;
  /** Conversation titles, in code points. */
  maxTitleLength: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxIdLength: 256,
  maxContentBytes: 1024 * 1024,
  maxMetadataBytes: 64 * 1024,
  maxBatch: 1000,
  maxTitleLength: 1000,
});
