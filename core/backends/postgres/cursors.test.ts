import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors/errors.js';
import { decodeCheckpoint, decodeListCursor, encodeCheckpoint, encodeListCursor, keepSnapshot } from './cursors.js';

describe('list cursors', () => {
  it('round-trips the exact sort key, for any id', () => {
    const cursor = { lastMessageAt: '2026-01-02T03:04:05.678Z', id: 'a:{b}/ç "q"' };
    const text = encodeListCursor(cursor);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeListCursor(text)).toEqual(cursor);
  });

  it('rejects anything else with a ValidationError naming cursor', () => {
    for (const bad of ['', 'x', Buffer.from('{"a":1}').toString('base64url'), Buffer.from('["nope","id"]').toString('base64url'), Buffer.from('[1,"id"]').toString('base64url')]) {
      expect(() => decodeListCursor(bad)).toThrow(ValidationError);
    }
  });
});

describe('checkpoints', () => {
  it('encode transaction id and position; "start" is the beginning', () => {
    expect(encodeCheckpoint({ tx: '123', position: '45' })).toBe('123:45');
    expect(decodeCheckpoint('123:45')).toEqual({ tx: '123', position: '45' });
    expect(decodeCheckpoint('start')).toEqual({ tx: '0', position: '0' });
  });

  it('rejects malformed checkpoints (e.g. one from the SQLite backend)', () => {
    for (const bad of ['', '12', '1:2:3', 'a:b', '-1:2', '42']) {
      expect(() => decodeCheckpoint(bad)).toThrow(ValidationError);
    }
  });

  it("carry an 'end' snapshot until the checkpoint passes its xmax", () => {
    const text = encodeCheckpoint({ tx: '100', position: '7', snapshot: '98:105:99,101' });
    expect(text).toBe('100:7@98:105:99,101');
    expect(decodeCheckpoint(text)).toEqual({ tx: '100', position: '7', snapshot: '98:105:99,101' });
    expect(decodeCheckpoint('100:7@98:105:')).toEqual({ tx: '100', position: '7', snapshot: '98:105:' });
    expect(keepSnapshot('98:105:99,101', '104')).toBe('98:105:99,101');
    expect(keepSnapshot('98:105:99,101', '105')).toBeUndefined();
    for (const bad of ['100:7@', '100:7@x', '100:7@1:2:3@4', '100:7@1:2:a']) expect(() => decodeCheckpoint(bad)).toThrow(ValidationError);
  });
});
