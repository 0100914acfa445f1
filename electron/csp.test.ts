import { describe, expect, it } from 'vitest';
import { ELECTRON_CSP, isConsoleUrl } from './csp.js';

describe('desktop CSP and navigation', () => {
  it('allows no remote origin', () => {
    expect(ELECTRON_CSP).toContain("default-src 'self'");
    expect(ELECTRON_CSP).toContain("connect-src 'self' ws://127.0.0.1:*");
    expect(ELECTRON_CSP).not.toMatch(/https?:/);
    expect(ELECTRON_CSP).not.toMatch(/script-src[^;]*unsafe/);
  });

  it('recognises only the console origin', () => {
    const origin = 'http://127.0.0.1:5123';
    expect(isConsoleUrl('http://127.0.0.1:5123/conversations', origin)).toBe(true);
    expect(isConsoleUrl('http://127.0.0.1:5124/', origin)).toBe(false);
    expect(isConsoleUrl('https://evil.example/', origin)).toBe(false);
    expect(isConsoleUrl('file:///etc/passwd', origin)).toBe(false);
    expect(isConsoleUrl('not a url', origin)).toBe(false);
  });
});
