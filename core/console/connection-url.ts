/**
 * Connection URLs carry passwords. These helpers split a password out (for the secret store),
 * put it back (to connect), summarise a URL for display, and scrub any URL found in a string
 * before it is logged or shown.
 */
import { ValidationError } from '../errors/errors.js';
import type { ConnectionSummary } from './api.js';

export interface SplitUrl {
  /** The URL without its password. */
  url: string;
  password: string | null;
}

function parse(field: string, raw: string, schemes: readonly string[]): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ValidationError(field, 'is not a valid URL');
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (!schemes.includes(scheme)) throw new ValidationError(field, `must start with ${schemes.map((s) => `${s}://`).join(' or ')}`);
  return url;
}

export const POSTGRES_SCHEMES = ['postgres', 'postgresql'] as const;
export const REDIS_SCHEMES = ['redis', 'rediss', 'redis+cluster', 'rediss+cluster', 'redis+sentinel', 'rediss+sentinel'] as const;

export function splitPassword(field: string, raw: string, schemes: readonly string[]): SplitUrl {
  const url = parse(field, raw, schemes);
  const password = url.password === '' ? null : decodeURIComponent(url.password);
  url.password = '';
  return { url: url.toString(), password };
}

export function withPassword(rawUrl: string, password: string | null): string {
  if (password === null) return rawUrl;
  const url = new URL(rawUrl);
  url.password = encodeURIComponent(password);
  return url.toString();
}

export function summarisePostgres(rawUrl: string): NonNullable<ConnectionSummary['postgres']> {
  const url = new URL(rawUrl);
  url.password = '';
  return {
    url: url.toString(),
    host: url.hostname,
    port: url.port === '' ? null : Number(url.port),
    database: decodeURIComponent(url.pathname.replace(/^\//, '')),
    user: url.username === '' ? null : decodeURIComponent(url.username),
    sslmode: url.searchParams.get('sslmode'),
  };
}

export function summariseRedis(rawUrl: string): NonNullable<ConnectionSummary['redis']> {
  const url = new URL(rawUrl);
  url.password = '';
  const scheme = url.protocol.replace(/:$/, '');
  const topology = scheme.endsWith('+cluster') ? 'cluster' : scheme.endsWith('+sentinel') ? 'sentinel' : 'standalone';
  // Cluster and Sentinel URLs may list more seed hosts in the query (hosts=a:1,b:2).
  const extra = (url.searchParams.get('hosts') ?? '').split(',').filter((h) => h.length > 0);
  return {
    url: url.toString(),
    tls: scheme.startsWith('rediss'),
    topology,
    hosts: [url.host, ...extra],
    user: url.username === '' ? null : decodeURIComponent(url.username),
  };
}

/** Replaces the password of every URL in `text` with `***`: for logs and error messages. */
export function scrubSecrets(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)([^\s@/]+)@/gi, '$1***@');
}
