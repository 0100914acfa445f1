/**
 * Redis URLs as the store takes them, parsed without the driver (so configuration can be checked
 * in any mode, and a Cluster or Sentinel URL listing several hosts, which WHATWG URL refuses, is
 * understood everywhere the same way):
 *
 *   redis[s]://[user:password@]host[:port][/db]
 *   redis[s]+cluster://[user:password@]h1:p1,h2:p2          Cluster seed nodes
 *   redis[s]+sentinel://[user:password@]h1:p1,h2:p2/master[/db][?sentinelPassword=…]
 */
import { ValidationError } from '../../errors/errors.js';

export interface HostPort {
  host: string;
  port: number;
}

export interface ParsedUrl {
  tls: boolean;
  mode: 'standalone' | 'cluster' | 'sentinel';
  username?: string;
  password?: string;
  hosts: HostPort[];
  db?: number;
  masterName?: string;
  sentinelPassword?: string;
}

const URL_PATTERN = /^(rediss?)(?:\+(cluster|sentinel))?:\/\/(?:([^@/?#]*)@)?([^/?#]*)(\/[^?#]*)?(?:\?([^#]*))?$/;

/** Parses and validates a Redis URL. Error messages never repeat the URL (it may hold a password). */
export function parseRedisUrl(url: string): ParsedUrl {
  const fail = (message: string): never => {
    throw new ValidationError('redis.url', message);
  };
  const match = URL_PATTERN.exec(url.trim());
  if (match === null) {
    return fail('expected redis://, rediss://, redis+cluster:// or redis+sentinel:// followed by host[:port]');
  }
  const [, scheme, modeRaw, userinfo, hostList, path, query] = match;
  const mode = modeRaw === 'cluster' || modeRaw === 'sentinel' ? modeRaw : 'standalone';
  const defaultPort = mode === 'sentinel' ? 26379 : 6379;

  const parsed: ParsedUrl = { tls: scheme === 'rediss', mode, hosts: [] };
  if (userinfo !== undefined && userinfo !== '') {
    const colon = userinfo.indexOf(':');
    const user = decode(colon < 0 ? userinfo : userinfo.slice(0, colon), fail);
    const password = colon < 0 ? undefined : decode(userinfo.slice(colon + 1), fail);
    // `redis://:password@host` is the common password-only form.
    if (user !== '') parsed.username = user;
    if (password !== undefined && password !== '') parsed.password = password;
    if (colon < 0 && user !== '') {
      // `redis://secret@host`: ioredis reads a lone userinfo as the password (pre-ACL servers).
      delete parsed.username;
      parsed.password = user;
    }
  }

  if (hostList === undefined || hostList === '') fail('missing host');
  for (const entry of (hostList ?? '').split(',')) parsed.hosts.push(parseHost(entry, defaultPort, fail));
  if (mode === 'standalone' && parsed.hosts.length !== 1) {
    fail('several hosts need redis+cluster:// or redis+sentinel://');
  }

  const segments = (path ?? '').split('/').filter((segment) => segment !== '');
  if (mode === 'sentinel') {
    const [masterName, db, ...rest] = segments;
    if (masterName === undefined) fail('redis+sentinel:// needs the master name as the path: /mymaster');
    parsed.masterName = decode(masterName ?? '', fail);
    if (db !== undefined) parsed.db = parseDb(db, fail);
    if (rest.length > 0) fail('unexpected path after the database number');
  } else if (mode === 'cluster') {
    if (segments.length > 0) fail('Cluster has no databases: remove the path');
  } else {
    const [db, ...rest] = segments;
    if (db !== undefined) parsed.db = parseDb(db, fail);
    if (rest.length > 0) fail('unexpected path after the database number');
  }

  for (const pair of (query ?? '').split('&').filter((part) => part !== '')) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1), fail);
    if (key === 'sentinelPassword' && mode === 'sentinel') parsed.sentinelPassword = value;
    else fail(`unknown query parameter "${key.slice(0, 40)}"`);
  }
  return parsed;
}

function parseHost(entry: string, defaultPort: number, fail: (message: string) => never): HostPort {
  const bracketed = /^\[([0-9a-fA-F:.]+)\](?::(.*))?$/.exec(entry);
  let host: string;
  let portText: string | undefined;
  if (bracketed !== null) {
    host = bracketed[1] ?? '';
    portText = bracketed[2];
  } else {
    const colon = entry.lastIndexOf(':');
    if (entry.indexOf(':') !== colon) fail('IPv6 hosts must be in brackets, e.g. [::1]:6379');
    host = colon < 0 ? entry : entry.slice(0, colon);
    portText = colon < 0 ? undefined : entry.slice(colon + 1);
  }
  if (host === '' || !/^[A-Za-z0-9._:-]+$/.test(host)) fail('invalid host');
  if (portText === undefined) return { host, port: defaultPort };
  if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) fail('invalid port');
  return { host, port: Number(portText) };
}

function parseDb(text: string, fail: (message: string) => never): number {
  if (!/^\d{1,5}$/.test(text)) fail('the path must be a database number');
  return Number(text);
}

function decode(text: string, fail: (message: string) => never): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return fail('invalid percent-encoding');
  }
}

/** The ioredis options a URL resolves to: pure, so the fail-fast settings can be unit-tested. */
