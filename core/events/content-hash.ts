import { hash } from 'node:crypto';
import type { JsonValue, Role } from './types.js';

/** JSON with object keys sorted, so equal metadata hashes equally whatever its key order. */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key] as JsonValue)}`).join(',')}}`;
}

/**
 * The idempotency fingerprint of a message, kept at append time: a retry compares against it, so
 * a message redacted since still recognises its own retry without keeping the text.
 */
export function contentHash(role: Role, content: string, metadata: { [key: string]: JsonValue }, parts?: readonly JsonValue[]): string {
  return contentHashOf(role, content, canonicalJson(metadata), parts === undefined ? undefined : canonicalJson([...parts]));
}

/** `contentHash` for metadata (and parts) already in canonical JSON (validation produces it). */
export function contentHashOf(role: Role, content: string, canonicalMetadata: string, canonicalParts?: string): string {
  // One-shot hashing: no Hash object per message on the append hot path. A message without parts
  // hashes as it did before parts existed, so retries of messages stored earlier still match.
  const parts = canonicalParts === undefined ? '' : `\u0000${canonicalParts}`;
  return hash('sha256', `${role}\u0000${content}\u0000${canonicalMetadata}${parts}`, 'base64url');
}

/**
 * The idempotency fingerprint of a write whose event id the caller chose (a revision, a
 * retraction): its type and payload, so a retry with the same id is recognised and a reuse of the
 * id for something else is not.
 */
export function eventHash(type: string, data: { [key: string]: JsonValue }): string {
  return hash('sha256', `${type}\u0000${canonicalJson(data)}`, 'base64url');
}
