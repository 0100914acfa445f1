/**
 * Input validation at the API boundary: every check names the field it rejects, and runs before
 * anything is written. Hand-written rather than schema-driven because it sits on the append hot path.
 */
import { ValidationError } from '../errors/errors.js';
import type { Limits } from './limits.js';
import {
  ROLES,
  type EventMetadata,
  type ExpectedVersion,
  type JsonObject,
  type JsonValue,
  type MessageInput,
  type MessagePart,
  type Role,
} from './types.js';

// C0 and C1 controls (U+0000–U+001F, U+007F–U+009F).
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
// Content may hold newlines and tabs, no other C0 control.
const CONTENT_CONTROL = /[\u0000-\u0008\u000b-\u001f]/u;
const encoder = new TextEncoder();

function codePoints(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

function utf8Bytes(value: string): number {
  // Fast path: every UTF-16 unit takes at most 3 bytes, so short strings need no count.
  if (value.length * 3 <= 64) return encoder.encode(value).length;
  return Buffer.byteLength(value, 'utf8');
}

/** A conversation id, user id or similar: printable text, trimmed, bounded. */
export function validateId(field: string, value: unknown, limits: Limits): string {
  if (typeof value !== 'string') throw new ValidationError(field, 'must be a string');
  if (value.length === 0) throw new ValidationError(field, 'must not be empty');
  if (!value.isWellFormed()) throw new ValidationError(field, 'must be well-formed Unicode');
  if (value.length > limits.maxIdLength * 2 || codePoints(value) > limits.maxIdLength) {
    throw new ValidationError(field, `must be at most ${limits.maxIdLength} code points`);
  }
  if (value.trim() !== value) throw new ValidationError(field, 'must not start or end with whitespace');
  if (CONTROL.test(value)) throw new ValidationError(field, 'must not contain control characters');
  return value;
}

export function validateRole(field: string, value: unknown): Role {
  if (typeof value !== 'string' || !(ROLES as readonly string[]).includes(value)) {
    throw new ValidationError(field, `must be one of ${ROLES.join(', ')}`);
  }
  return value as Role;
}

export function validateContent(field: string, value: unknown, limits: Limits): string {
  if (typeof value !== 'string') throw new ValidationError(field, 'must be a string');
  if (!value.isWellFormed()) throw new ValidationError(field, 'must be well-formed Unicode');
  if (utf8Bytes(value) > limits.maxContentBytes) {
    throw new ValidationError(field, `must be at most ${limits.maxContentBytes} bytes (UTF-8)`);
  }
  if (CONTENT_CONTROL.test(value)) throw new ValidationError(field, 'must not contain control characters other than newline and tab');
  return value;
}

/** Free text such as titles and reasons: no control characters, bounded in code points. */
export function validateText(field: string, value: unknown, maxLength: number, options: { allowEmpty?: boolean } = {}): string {
  if (typeof value !== 'string') throw new ValidationError(field, 'must be a string');
  if (!options.allowEmpty && value.trim().length === 0) throw new ValidationError(field, 'must not be empty');
  if (!value.isWellFormed()) throw new ValidationError(field, 'must be well-formed Unicode');
  if (value.length > maxLength * 2 || codePoints(value) > maxLength) throw new ValidationError(field, `must be at most ${maxLength} code points`);
  if (CONTROL.test(value)) throw new ValidationError(field, 'must not contain control characters');
  return value;
}

/**
 * Checks that `value` is plain JSON and returns its canonical serialisation (object keys sorted)
 * in the same pass: the size limit and the idempotency hash both use it, so metadata is walked once.
 */
function canonicalize(field: string, value: unknown, depth: number, seen: Set<object>): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') {
    // PostgreSQL's jsonb cannot hold U+0000 or lone surrogates; refuse them for every backend alike.
    if (value.includes('\u0000') || !value.isWellFormed()) throw new ValidationError(field, 'must not contain NUL or unpaired surrogates');
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ValidationError(field, 'must contain only finite numbers');
    return JSON.stringify(value);
  }
  if (depth > 32) throw new ValidationError(field, 'is nested too deeply');
  if (typeof value !== 'object') throw new ValidationError(field, 'must be JSON (no functions, undefined, symbols or bigints)');
  if (seen.has(value)) throw new ValidationError(field, 'must not contain cycles');
  seen.add(value);
  let out: string;
  if (Array.isArray(value)) {
    out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalize(field, value[i], depth + 1, seen);
    out += ']';
  } else {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) throw new ValidationError(field, 'must hold plain objects only');
    const keys = Object.keys(value).sort();
    out = '{';
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      if (key.includes('\u0000') || !key.isWellFormed()) throw new ValidationError(field, 'must not contain NUL or unpaired surrogates in keys');
      const item: unknown = (value as Record<string, unknown>)[key];
      if (item === undefined) throw new ValidationError(field, 'must not contain undefined values');
      out += (i === 0 ? '' : ',') + JSON.stringify(key) + ':' + canonicalize(field, item, depth + 1, seen);
    }
    out += '}';
  }
  seen.delete(value);
  return out;
}

/**
 * A JSON object within the size limit; returns it with its canonical serialisation (keys sorted,
 * the same length as `JSON.stringify` gives).
 */
export function validateMetadata(field: string, value: unknown, limits: Limits): { value: JsonObject; json: string } {
  if (value === undefined) return { value: {}, json: '{}' };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ValidationError(field, 'must be a JSON object');
  const json = canonicalize(field, value, 0, new Set());
  if (utf8Bytes(json) > limits.maxMetadataBytes) throw new ValidationError(field, `must serialise to at most ${limits.maxMetadataBytes} bytes`);
  return { value: value as JsonObject, json };
}

export function validateEventMetadata(field: string, value: unknown, limits: Limits): EventMetadata {
  const { value: metadata } = validateMetadata(field, value, limits);
  for (const key of ['userId', 'requestId', 'correlationId', 'causationId'] as const) {
    const item: JsonValue | undefined = metadata[key];
    if (item !== undefined && typeof item !== 'string') throw new ValidationError(`${field}.${key}`, 'must be a string');
  }
  return metadata as EventMetadata;
}

export function validateExpectedVersion(value: unknown): ExpectedVersion {
  if (value === undefined) return 'any';
  if (value === 'any' || value === 'no_stream' || value === 'exists') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value === 0 ? 'no_stream' : value;
  throw new ValidationError('expectedVersion', "must be a non-negative integer, 'any', 'no_stream' or 'exists'");
}

export function validateInteger(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ValidationError(field, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** A message's text and parts, validated together: they share the `maxContentBytes` budget. */
export interface ValidBody {
  content: string;
  parts: MessagePart[] | undefined;
  /** Canonical JSON of `parts` (keys sorted), for the idempotency hash; undefined without parts. */
  partsJson: string | undefined;
}

/**
 * `content`, `parts` or both. Without `content` it is derived from the text parts. Parts must be
 * plain JSON objects with a string `type`; their serialisation and the content together are
 * bounded by `maxContentBytes` (an image part is content, not metadata).
 */
export function validateBody(content: unknown, parts: unknown, limits: Limits): ValidBody {
  if (parts === undefined) return { content: validateContent('content', content, limits), parts: undefined, partsJson: undefined };
  if (!Array.isArray(parts)) throw new ValidationError('parts', 'must be an array of objects');
  let derived = '';
  for (const part of parts as unknown[]) {
    if (part === null || typeof part !== 'object' || Array.isArray(part)) throw new ValidationError('parts', 'must hold objects only');
    const { type, text } = part as { type?: unknown; text?: unknown };
    if (typeof type !== 'string' || type.length === 0) throw new ValidationError('parts', "must each have a non-empty string 'type'");
    if (type === 'text') {
      if (typeof text !== 'string') throw new ValidationError('parts', "text parts must have a string 'text'");
      derived += text;
    }
  }
  const partsJson = canonicalize('parts', parts, 0, new Set());
  const text = content === undefined ? validateContent('parts', derived, limits) : validateContent('content', content, limits);
  if (utf8Bytes(text) + utf8Bytes(partsJson) > limits.maxContentBytes) {
    throw new ValidationError('parts', `content and serialised parts must be at most ${limits.maxContentBytes} bytes together (UTF-8)`);
  }
  return { content: text, parts: parts as MessagePart[], partsJson };
}

export interface ValidMessage extends ValidBody {
  id: string | undefined;
  role: Role;
  metadata: JsonObject;
  /** Canonical JSON of `metadata` (keys sorted): what the idempotency hash covers. */
  metadataJson: string;
}

/** Validates one append batch; the same id twice is refused. */
export function validateMessages(input: unknown, limits: Limits): ValidMessage[] {
  const list: unknown[] = Array.isArray(input) ? input : [input];
  if (list.length === 0) throw new ValidationError('messages', 'must hold at least one message');
  if (list.length > limits.maxBatch) throw new ValidationError('messages', `must hold at most ${limits.maxBatch} messages`);
  const ids = new Set<string>();
  return list.map((raw) => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ValidationError('message', 'must be an object');
    const message = raw as Partial<Record<keyof MessageInput, unknown>>;
    let id: string | undefined;
    if (message.id !== undefined) {
      id = validateId('id', message.id, limits);
      if (ids.has(id)) throw new ValidationError('id', 'appears twice in one batch');
      ids.add(id);
    }
    const metadata = validateMetadata('metadata', message.metadata, limits);
    const role = validateRole('role', message.role);
    return {
      id,
      role,
      ...validateBody(message.content, message.parts, limits),
      metadata: metadata.value,
      metadataJson: metadata.json,
    };
  });
}
