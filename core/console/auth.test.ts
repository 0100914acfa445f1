import { describe, expect, it } from 'vitest';
import { bearerToken, checkRequest, contentSecurityPolicy, cookieName, isAllowedHost, isAllowedOrigin, parseCookies, sameToken, type GateRequest } from './auth.js';

const token = 'tok_0123456789abcdef';
const port = 4321;
const options = { token, port, allowQueryToken: true };

function request(overrides: Partial<GateRequest> & { headers?: GateRequest['headers'] } = {}): GateRequest {
  return { method: 'GET', url: '/', ...overrides, headers: { host: `127.0.0.1:${port}`, ...overrides.headers } };
}

describe('token comparison', () => {
  it('accepts only the exact token', () => {
    expect(sameToken(token, token)).toBe(true);
    expect(sameToken(token, `${token}x`)).toBe(false);
    expect(sameToken(token, token.slice(1))).toBe(false);
    expect(sameToken(token, '')).toBe(false);
    expect(sameToken(token, undefined)).toBe(false);
  });

  it('reads Bearer headers and cookies', () => {
    expect(bearerToken(`Bearer ${token}`)).toBe(token);
    expect(bearerToken(`bearer   ${token}`)).toBe(token);
    expect(bearerToken(`Basic ${token}`)).toBeUndefined();
    expect(parseCookies(`a=1; ${cookieName(port)}=${token}; b=2`).get(cookieName(port))).toBe(token);
  });
});

describe('Host and Origin', () => {
  it('accepts only loopback names with the server port', () => {
    expect(isAllowedHost(`127.0.0.1:${port}`, port)).toBe(true);
    expect(isAllowedHost(`localhost:${port}`, port)).toBe(true);
    expect(isAllowedHost(`127.0.0.1:${port + 1}`, port)).toBe(false);
    expect(isAllowedHost(`evil.example:${port}`, port)).toBe(false);
    expect(isAllowedHost('127.0.0.1', port)).toBe(false);
    expect(isAllowedHost(undefined, port)).toBe(false);
  });

  it('accepts a missing Origin and the console own origin only', () => {
    expect(isAllowedOrigin(undefined, port)).toBe(true);
    expect(isAllowedOrigin(`http://127.0.0.1:${port}`, port)).toBe(true);
    expect(isAllowedOrigin(`http://localhost:${port}`, port)).toBe(true);
    expect(isAllowedOrigin('null', port)).toBe(false);
    expect(isAllowedOrigin(`https://127.0.0.1:${port}`, port)).toBe(false);
    expect(isAllowedOrigin('http://evil.example', port)).toBe(false);
  });
});

describe('checkRequest', () => {
  it('refuses a request without a token with 401', () => {
    expect(checkRequest(request(), options)).toMatchObject({ action: 'deny', status: 401 });
  });

  it('refuses a wrong token with 401', () => {
    expect(checkRequest(request({ headers: { authorization: 'Bearer nope' } }), options)).toMatchObject({ action: 'deny', status: 401 });
    expect(checkRequest(request({ url: '/?token=nope' }), options)).toMatchObject({ action: 'deny', status: 401 });
  });

  it('accepts the Bearer token and the cookie', () => {
    expect(checkRequest(request({ headers: { authorization: `Bearer ${token}` } }), options)).toEqual({ action: 'allow' });
    expect(checkRequest(request({ headers: { cookie: `${cookieName(port)}=${token}` } }), options)).toEqual({ action: 'allow' });
  });

  it('ignores the cookie of a console on another port', () => {
    expect(checkRequest(request({ headers: { cookie: `${cookieName(port + 1)}=${token}` } }), options)).toMatchObject({ action: 'deny', status: 401 });
  });

  it('trades a query token for an HttpOnly SameSite=Strict cookie and strips it from the URL', () => {
    const decision = checkRequest(request({ url: `/conversations?x=1&token=${token}` }), options);
    expect(decision.action).toBe('exchange');
    if (decision.action !== 'exchange') return;
    expect(decision.location).toBe('/conversations?x=1');
    expect(decision.setCookie).toContain(`${cookieName(port)}=${token}`);
    expect(decision.setCookie).toContain('HttpOnly');
    expect(decision.setCookie).toContain('SameSite=Strict');
  });

  it('does not accept query tokens where they are not allowed (API calls)', () => {
    const decision = checkRequest(request({ method: 'POST', url: `/api/environments.list?token=${token}` }), { ...options, allowQueryToken: false });
    expect(decision).toMatchObject({ action: 'deny', status: 401 });
  });

  it('refuses a forged Host or a foreign Origin with 403 even with the token', () => {
    const auth = { authorization: `Bearer ${token}` };
    expect(checkRequest(request({ headers: { ...auth, host: `rebound.example:${port}` } }), options)).toMatchObject({ action: 'deny', status: 403 });
    expect(checkRequest(request({ headers: { ...auth, origin: 'http://evil.example' } }), options)).toMatchObject({ action: 'deny', status: 403 });
    expect(checkRequest(request({ headers: { ...auth, 'sec-fetch-site': 'cross-site' } }), options)).toMatchObject({ action: 'deny', status: 403 });
  });
});

describe('contentSecurityPolicy', () => {
  it('limits every fetch to the console itself', () => {
    const csp = contentSecurityPolicy(port);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`);
    expect(csp).toContain("img-src 'self' data:");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).not.toContain('http:');
  });
});

describe('the token exchange redirect', () => {
  it('never leaves the origin, whatever the path looks like', () => {
    for (const url of [`/.//evil.com/?token=${token}`, `//evil.com/?token=${token}`, `/%2F/evil.com/?token=${token}`, `/\\evil.com/?token=${token}`, `/./\\/evil.com?token=${token}`]) {
      const decision = checkRequest(request({ url }), options);
      expect(decision.action).toBe('exchange');
      if (decision.action !== 'exchange') continue;
      expect(decision.location).toMatch(/^\/(?![/\\])/);
      // Resolved against the console's origin it stays there.
      expect(new URL(decision.location, `http://127.0.0.1:${port}`).host).toBe(`127.0.0.1:${port}`);
    }
  });
});

describe('a console on its own loopback address', () => {
  const host = '127.23.45.67';
  it('answers only to that address (no localhost, no 127.0.0.1)', () => {
    const auth = { authorization: `Bearer ${token}` };
    const at = { ...options, host };
    expect(checkRequest(request({ headers: { ...auth, host: `${host}:${port}` } }), at)).toEqual({ action: 'allow' });
    expect(checkRequest(request({ headers: { ...auth, host: `127.0.0.1:${port}` } }), at)).toMatchObject({ action: 'deny', status: 403 });
    expect(checkRequest(request({ headers: { ...auth, host: `localhost:${port}` } }), at)).toMatchObject({ action: 'deny', status: 403 });
    expect(checkRequest(request({ headers: { ...auth, host: `${host}:${port}`, origin: `http://127.0.0.1:${port}` } }), at)).toMatchObject({ action: 'deny', status: 403 });
    expect(contentSecurityPolicy(port, host)).toContain(`connect-src 'self' ws://${host}:${port};`);
  });
});
