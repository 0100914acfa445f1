import { describe, expect, it } from 'vitest';
import { importedMessageId, uuidV5 } from './deterministic-id.js';

describe('importedMessageId', () => {
  it('derives the same UUIDv5 for the same source place, and different ones elsewhere', () => {
    const a = importedMessageId('langchain-redis', 's1', '0', undefined);
    expect(importedMessageId('langchain-redis', 's1', '0', undefined)).toBe(a);
    expect(importedMessageId('langchain-redis', 's1', '1', undefined)).not.toBe(a);
    expect(importedMessageId('langchain-redis', 's2', '0', undefined)).not.toBe(a);
    expect(importedMessageId('sessions-json', 's1', '0', undefined)).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('keeps a source id that is a UUID, lowercased, and replaces any other', () => {
    expect(importedMessageId('x', 's', '0', '6F9619FF-8B86-D011-B42D-00CF4FC964FF')).toBe('6f9619ff-8b86-d011-b42d-00cf4fc964ff');
    expect(importedMessageId('x', 's', '0', 'msg_123')).toBe(importedMessageId('x', 's', '0', undefined));
  });

  it('matches RFC 9562 version 5 (DNS namespace, "www.example.com")', () => {
    const dns = Buffer.from('6ba7b8109dad11d180b400c04fd430c8', 'hex');
    expect(uuidV5('www.example.com', dns)).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });
});
