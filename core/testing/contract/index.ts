/**
 * The store contract: one suite that every backend (SQLite, PostgreSQL, hybrid) passes. Runner
 * files call `describeStoreContract` with a target that opens stores over that backend.
 */
import { appendContract } from './append.js';
import { conversationMetadataContract } from './conversation-metadata.js';
import { partsContract } from './parts.js';
import { readContract } from './reads.js';
import { revisionContract } from './revisions.js';
import { subscribeContract } from './subscribe.js';
import type { ContractTarget } from './target.js';
import { validationContract } from './validation.js';
import { writeContract } from './writes.js';

export type { ContractTarget } from './target.js';

export function describeStoreContract(target: ContractTarget): void {
  appendContract(target);
  partsContract(target);
  readContract(target);
  writeContract(target);
  revisionContract(target);
  conversationMetadataContract(target);
  subscribeContract(target);
  validationContract(target);
}
