/**
 * The local server's gate: a per-launch token (query → cookie, cookie, or Bearer) plus Host and
 * Origin checks, as pure functions so every rule has a unit test. Host and Origin are checked
 * before the token so a DNS-rebound or cross-site caller learns nothing from the answer.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Cookies are not isolated by port, so each console's cookie carries its port in the name. */
export function cookieName(port: number): string {
  return `scrollback_console_${port}`;
}

export function sameToken(expected: string, given: string | undefined | null): boolean {
  if (given === undefined || given === null || given.length === 0) return false;
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

export const DEFAULT_HOST = '127.0.0.1';

/**
 * Hosts the server answers to: the loopback address it listens on, with its own port
 * (`localhost` too when that address is 127.0.0.1, which is where `localhost` resolves).
 */
export function allowedHosts(port: number, host: string = DEFAULT_HOST): string[] {
  return host === DEFAULT_HOST ? [`${host}:${port}`, `localhost:${port}`] : [`${host}:${port}`];
}

export function allowedOrigins(port: number, host: string = DEFAULT_HOST): string[] {
  return allowedHosts(port, host).map((h) => `http://${h}`);
}

/** A missing Host is refused: HTTP/1.1 requires it and a rebinding attack controls it. */
export function isAllowedHost(header: string | undefined, port: number, host: string = DEFAULT_HOST): boolean {
  if (header === undefined) return false;
  return allowedHosts(port, host).includes(header.toLowerCase());
}

/**
 * Browsers send Origin on every cross-origin request, on POST and on WebSocket upgrades; a
 * request without one comes from a same-origin navigation or a non-browser client (which still
 * needs the token). `null` (sandboxed frames, file://) is foreign.
 */
export function isAllowedOrigin(origin: string | undefined, port: number, host: string = DEFAULT_HOST): boolean {
  if (origin === undefined) return true;
  return allowedOrigins(port, host).includes(origin.toLowerCase());
}

/** `Sec-Fetch-Site: cross-site` marks a request another site started, even without Origin. */
export function isCrossSite(secFetchSite: string | undefined): boolean {
  return secFetchSite === 'cross-site';
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (header === undefined) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (!cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

export function bearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  return match?.[1];
}

export interface GateRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  headers: {
    host?: string | undefined;
    origin?: string | undefined;
    cookie?: string | undefined;
    authorization?: string | undefined;
    'sec-fetch-site'?: string | undefined;
  };
}

export function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** What the gate looks at of a Node request (HTTP or WebSocket upgrade alike). */
export function gateRequestOf(req: IncomingMessage): GateRequest {
  return {
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    headers: {
      host: req.headers.host,
      origin: req.headers.origin,
      cookie: req.headers.cookie,
      authorization: req.headers.authorization,
      'sec-fetch-site': firstHeader(req.headers['sec-fetch-site']),
    },
  };
}

export type GateDecision =
  | { action: 'allow' }
  /** First load with `?token=`: set the cookie and redirect to the same URL without it. */
  | { action: 'exchange'; location: string; setCookie: string }
  | { action: 'deny'; status: 401 | 403; reason: string };

export interface GateOptions {
  token: string;
  port: number;
  /** The loopback address the server listens on; default 127.0.0.1. */
  host?: string;
  /** Query tokens are accepted on GET (page loads, the WebSocket upgrade), never on API calls. */
  allowQueryToken: boolean;
}

export function sessionCookie(port: number, token: string): string {
  return `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

/**
 * Where to send the browser after the token exchange: always a path on this origin. A path that
 * starts with several slashes or a backslash (`/.//evil.com/` normalises to `//evil.com/`) would
 * otherwise be read as another host.
 */
export function sameOriginLocation(pathname: string, search: string): string {
  const path = `/${pathname.replace(/^[/\\]+/, '')}`;
  return path + (search === '?' ? '' : search);
}

export function checkRequest(req: GateRequest, options: GateOptions): GateDecision {
  const { token, port } = options;
  const host = options.host ?? DEFAULT_HOST;
  if (!isAllowedHost(req.headers.host, port, host)) return { action: 'deny', status: 403, reason: 'foreign host' };
  if (!isAllowedOrigin(req.headers.origin, port, host)) return { action: 'deny', status: 403, reason: 'foreign origin' };
  if (isCrossSite(req.headers['sec-fetch-site'])) return { action: 'deny', status: 403, reason: 'cross-site request' };

  const url = new URL(req.url, `http://${host}:${port}`);
  const queryToken = url.searchParams.get('token');
  if (options.allowQueryToken && req.method === 'GET' && queryToken !== null) {
    if (!sameToken(token, queryToken)) return { action: 'deny', status: 401, reason: 'wrong token' };
    url.searchParams.delete('token');
    const location = sameOriginLocation(url.pathname, url.search);
    return { action: 'exchange', location, setCookie: sessionCookie(port, token) };
  }
  const cookieToken = parseCookies(req.headers.cookie).get(cookieName(port));
  const headerToken = bearerToken(req.headers.authorization);
  if (sameToken(token, headerToken) || sameToken(token, cookieToken)) return { action: 'allow' };
  return { action: 'deny', status: 401, reason: 'missing or wrong token' };
}

/** The CSP every HTML response carries: nothing leaves for another origin. */
export function contentSecurityPolicy(port: number, host: string = DEFAULT_HOST): string {
  const sockets = allowedHosts(port, host).map((h) => `ws://${h}`).join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Inline styles can't fetch anything: url() is still bound by img-src/font-src.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self' ${sockets}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "worker-src 'self'",
  ].join('; ');
}
