/**
 * How much work each part of a run does. Quick mode keeps the whole run under four minutes on a
 * two-core machine by doing fewer operations and using a smaller "large" data set (it says so in
 * its output); the ratios it reports are the same ratios, measured with fewer samples.
 */
export interface BenchProfile {
  name: 'quick' | 'full';
  /** Interleaved rounds per comparison: more, shorter rounds spread bursts of load evenly. */
  rounds: number;
  warmup: number;
  /** `batch`: calls of 100 messages each. */
  append: { c1: number; c32: number; batch: number };
  /** Whole-history reads of a 100-message conversation. */
  readAll: number;
  tail: { hit: number; miss: number };
  embedded: { batches: number; batchSize: number; tail: number };
  scale: {
    smallEvents: number;
    largeEvents: number;
    /** Operations per size for the store's tail and listings. */
    operations: number;
    /** LangChain reads the whole table at the large size: fewer operations. */
    langchainOperations: number;
  };
  cache: { maxMessages: number; ttlSeconds: number };
  poolSize: number;
}

const shared = {
  cache: { maxMessages: 50, ttlSeconds: 3600 },
  poolSize: 16,
} as const;

export const PROFILES: Record<BenchProfile['name'], BenchProfile> = {
  quick: {
    name: 'quick',
    rounds: 12,
    warmup: 200,
    append: { c1: 1_000, c32: 3_200, batch: 200 },
    readAll: 800,
    tail: { hit: 4_000, miss: 800 },
    embedded: { batches: 200, batchSize: 100, tail: 4_000 },
    scale: { smallEvents: 10_000, largeEvents: 200_000, operations: 1_500, langchainOperations: 40 },
    ...shared,
  },
  full: {
    name: 'full',
    rounds: 20,
    warmup: 500,
    append: { c1: 5_000, c32: 20_000, batch: 1_000 },
    readAll: 3_000,
    tail: { hit: 20_000, miss: 5_000 },
    embedded: { batches: 1_000, batchSize: 100, tail: 20_000 },
    scale: { smallEvents: 10_000, largeEvents: 1_000_000, operations: 2_000, langchainOperations: 40 },
    ...shared,
  },
};
