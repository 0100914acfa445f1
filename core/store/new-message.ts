/**
 * A validated message as the log receives it: its id assigned, its idempotency hash computed on
 * first read and kept. PostgreSQL and the outbox store the hash with every append; the embedded log
 * reads it only to answer a retry, so a fresh embedded append hashes nothing.
 *
 * The hash is a getter on the class, which `JSON.stringify` does not see: whatever persists a
 * NewMessage names its fields (as the outbox does).
 */
import type { NewMessage } from '../backends/log.js';
import { contentHashOf } from '../events/content-hash.js';
import type { JsonObject, MessagePart, Role } from '../events/types.js';
import { uuidv7 } from '../events/uuid-v7.js';
import type { ValidMessage } from '../events/validate.js';

class PendingMessage implements NewMessage {
  readonly id: string;
  readonly role: Role;
  readonly content: string;
  readonly parts: MessagePart[] | undefined;
  readonly metadata: JsonObject;
  readonly #metadataJson: string;
  readonly #partsJson: string | undefined;
  #hash: string | undefined;

  constructor(valid: ValidMessage) {
    this.id = valid.id ?? uuidv7();
    this.role = valid.role;
    this.content = valid.content;
    this.parts = valid.parts;
    this.metadata = valid.metadata;
    this.#metadataJson = valid.metadataJson;
    this.#partsJson = valid.partsJson;
  }

  get contentHash(): string {
    return (this.#hash ??= contentHashOf(this.role, this.content, this.#metadataJson, this.#partsJson));
  }
}

export function toNewMessage(valid: ValidMessage): NewMessage {
  return new PendingMessage(valid);
}
