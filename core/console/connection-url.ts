/**
 * Connection URLs carry passwords. These helpers split every secret out (for the secret store),
 * put them back (to connect), summarise a URL for display, and scrub any URL found in a string
 * before it is logged or shown.
 */
import { parseRedisUrl } from '../backends/redis/redis-url.js';
import { ValidationError } from '../errors/errors.js';
import type { ConnectionSummary } from './api.js';

/**
 * The places a connection URL can carry a secret: the password in userinfo; a lone Redis userinfo
 * (`redis://secret@host`, which ioredis reads as the password); query parameters such as
 * PostgreSQL's `password`/`sslpassword` and Sentinel's `sentinelPassword`. A part is named
 * `password`, `user` or `?<parameter>`.
 */
export type SecretPart = 'password' | 'user' | `?${string}`;

export interface SecretRules {
  /** Query parameters whose value is a secret. */
  query: readonly string[];
  /** A userinfo without a colon is a password, not a user name. */
  loneUserIsSecret: boolean;
}

export const POSTGRES_SCHEMES = ['postgres', 'postgresql'] as const;
export const REDIS_SCHEMES = ['redis', 'rediss', 'redis+cluster', 'rediss+cluster', 'redis+sentinel', 'rediss+sentinel'] as const;

export const POSTGRES_SECRETS: SecretRules = { query: ['password', 'sslpassword'], loneUserIsSecret: false };
export const REDIS_SECRETS: SecretRules = { query: ['sentinelPassword'], loneUserIsSecret: true };

/** What the console shows in place of a secret; sent back unchanged it means "keep the saved one". */
export const SECRET_PLACEHOLDER = '***';

export interface SplitUrl {
  /** The URL without any secret. */
  url: string;
  /** Secrets found, decoded. */
  secrets: Partial<Record<SecretPart, string>>;
  /** Parts given as the placeholder: the caller keeps what it saved for them. */
  kept: SecretPart[];
}

interface UrlPieces {
  scheme: string;
  /** Raw (still percent-encoded) user name; null when the URL has no userinfo. */
  user: string | null;
  /** Raw password; null when the userinfo has no colon. */
  password: string | null;
  /** Hosts and path, untouched (Cluster and Sentinel URLs list several hosts, which WHATWG URL refuses). */
  rest: string;
  query: Array<[string, string]>;
  fragment: string;
}

const URL_SHAPE = /^([a-z][a-z0-9+.-]*):\/\/(?:([^@/?#]*)@)?([^?#]*)(?:\?([^#]*))?(#.*)?$/i;

function pieces(field: string, raw: string, schemes: readonly string[]): UrlPieces {
  const match = URL_SHAPE.exec(raw.trim());
  if (match === null) throw new ValidationError(field, 'is not a valid URL');
  const [, scheme = '', userinfo, rest = '', query, fragment = ''] = match;
  if (!schemes.includes(scheme.toLowerCase())) throw new ValidationError(field, `must start with ${schemes.map((s) => `${s}://`).join(' or ')}`);
  const colon = userinfo === undefined ? -1 : userinfo.indexOf(':');
  return {
    scheme,
    user: userinfo === undefined ? null : colon < 0 ? userinfo : userinfo.slice(0, colon),
    password: userinfo === undefined || colon < 0 ? null : userinfo.slice(colon + 1),
    rest,
    query: (query ?? '')
      .split('&')
      .filter((pair) => pair !== '')
      .map((pair) => {
        const eq = pair.indexOf('=');
        return eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
      }),
    fragment,
  };
}

function decode(field: string, text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new ValidationError(field, 'has invalid percent-encoding');
  }
}

function assemble(p: UrlPieces): string {
  const userinfo = p.user === null && p.password === null ? '' : `${p.user ?? ''}${p.password === null ? '' : `:${p.password}`}@`;
  const query = p.query.length === 0 ? '' : `?${p.query.map(([k, v]) => `${k}=${v}`).join('&')}`;
  return `${p.scheme}://${userinfo}${p.rest}${query}${p.fragment}`;
}

/** Takes every secret out of a URL (for the secret box); the URL that remains is safe to store. */
export function splitSecrets(field: string, raw: string, schemes: readonly string[], rules: SecretRules): SplitUrl {
  const p = pieces(field, raw, schemes);
  const secrets: Partial<Record<SecretPart, string>> = {};
  const kept: SecretPart[] = [];
  const take = (part: SecretPart, value: string): void => {
    const decoded = decode(field, value);
    if (decoded === SECRET_PLACEHOLDER) kept.push(part);
    else if (decoded !== '') secrets[part] = decoded;
  };
  if (p.password !== null) {
    take('password', p.password);
    // `user:@` keeps saying "a user name" where a lone userinfo would read as a password.
    p.password = rules.loneUserIsSecret && p.user !== '' ? '' : null;
    if (p.user === '') p.user = null;
  } else if (p.user !== null && rules.loneUserIsSecret) {
    take('user', p.user);
    p.user = null;
  }
  p.query = p.query.filter(([key, value]) => {
    const name = decode(field, key);
    if (!rules.query.includes(name)) return true;
    take(`?${name}`, value);
    return false;
  });
  return { url: assemble(p), secrets, kept };
}

/** Puts secrets back into a URL split by `splitSecrets`, for connecting. Never log the result. */
export function withSecrets(url: string, secrets: Partial<Record<SecretPart, string>>): string {
  const p = pieces('url', url, [url.slice(0, Math.max(0, url.indexOf(':'))).toLowerCase()]);
  // A lone userinfo first, so a password (never both, but be safe) is not undone by it.
  const entries = (Object.entries(secrets) as Array<[SecretPart, string | undefined]>).sort(([a], [b]) => (a === 'user' ? -1 : b === 'user' ? 1 : 0));
  for (const [part, value] of entries) {
    if (value === undefined) continue;
    if (part === 'password') {
      p.password = encodeURIComponent(value);
      p.user ??= '';
    } else if (part === 'user') {
      p.user = encodeURIComponent(value);
    } else {
      p.query.push([encodeURIComponent(part.slice(1)), encodeURIComponent(value)]);
    }
  }
  return assemble(p);
}

/** The URL as the console shows it: each secret it has replaced by `***`. */
export function displayUrl(url: string, parts: Iterable<SecretPart>): string {
  const masked: Partial<Record<SecretPart, string>> = {};
  for (const part of parts) masked[part] = SECRET_PLACEHOLDER;
  return withSecrets(url, masked).replace(/%2A/gi, '*');
}

/** `rawUrl` holds no secret (as stored); `shown` is what the summary's `url` says instead. */
export function summarisePostgres(rawUrl: string, shown: string = rawUrl): NonNullable<ConnectionSummary['postgres']> {
  const url = new URL(rawUrl);
  url.password = '';
  return {
    url: shown,
    host: url.hostname,
    port: url.port === '' ? null : Number(url.port),
    database: decodeURIComponent(url.pathname.replace(/^\//, '')),
    user: url.username === '' ? null : decodeURIComponent(url.username),
    sslmode: url.searchParams.get('sslmode'),
  };
}

export function summariseRedis(rawUrl: string, shown: string = rawUrl): NonNullable<ConnectionSummary['redis']> {
  // The store's parser: Cluster and Sentinel URLs list several hosts, which WHATWG URL refuses.
  const parsed = parseRedisUrl(rawUrl);
  const db = parsed.db === undefined ? '' : `/${parsed.db}`;
  // Stored URLs hold no secret, so whatever userinfo is left names the user (ioredis would read a
  // lone one as a password, which is why the parser's own reading does not apply here).
  const rawUser = pieces('redis.url', rawUrl, REDIS_SCHEMES).user;
  const user = rawUser === null ? '' : decode('redis.url', rawUser);
  return {
    url: shown,
    tls: parsed.tls,
    topology: parsed.mode,
    hosts: parsed.hosts.map(({ host, port }, i) => `${host.includes(':') ? `[${host}]` : host}:${port}${i === 0 ? db : ''}`),
    user: user === '' ? null : user,
    ...(parsed.masterName !== undefined ? { masterName: parsed.masterName } : {}),
  };
}

/** Replaces the password of every URL in `text` with `***`: for logs and error messages. */
export function scrubSecrets(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)([^\s@/]+)@/gi, '$1***@')
    .replace(/(rediss?(?:\+[a-z]+)?:\/\/)([^\s:/@]+)@/gi, '$1***@')
    .replace(/([?&](?:password|sslpassword|sentinelPassword)=)[^\s&#]*/gi, '$1***');
}
