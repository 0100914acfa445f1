import { describe, expect, it } from 'vitest';
import { formatHash, parseHash, type Route } from './routes.js';

describe('routes', () => {
  const cases: Route[] = [
    { name: 'environments' },
    { name: 'conversations' },
    { name: 'live' },
    { name: 'playground', conversationId: null },
    { name: 'playground', conversationId: 'c/1 #x' },
    { name: 'conversation', conversationId: 'conv-1', tab: 'cache' },
    { name: 'replay', conversationId: 'a b', version: 7 },
    { name: 'replay', conversationId: 'a', version: null },
  ];
  it.each(cases)('round-trips %o', (route) => {
    expect(parseHash(formatHash(route))).toEqual(route);
  });

  it('falls back to conversations for unknown or malformed hashes', () => {
    expect(parseHash('')).toEqual({ name: 'conversations' });
    expect(parseHash('#/nope')).toEqual({ name: 'conversations' });
    expect(parseHash('#/conversation/')).toEqual({ name: 'conversations' });
    expect(parseHash('#/conversation/%E0%A4%A')).toEqual({ name: 'conversations' });
  });

  it('defaults the tab and ignores bad versions', () => {
    expect(parseHash('#/conversation/x/bogus')).toEqual({ name: 'conversation', conversationId: 'x', tab: 'transcript' });
    expect(parseHash('#/replay/x/-3')).toEqual({ name: 'replay', conversationId: 'x', version: null });
  });
});
