/**
 * Turns driver errors into sentences a person can act on: refused, authentication failed, TLS,
 * timeout, wrong database, missing file. Walks the `cause` chain because the store wraps driver
 * errors in BackendUnavailableError once, at its boundary.
 */
import { scrubSecrets } from './connection-url.js';

export type ConnectionProblem = 'refused' | 'auth' | 'tls' | 'timeout' | 'database' | 'host' | 'file' | 'unknown';

export interface DescribedProblem {
  problem: ConnectionProblem;
  message: string;
}

const BACKEND_NAMES = { postgres: 'PostgreSQL', redis: 'Redis', sqlite: 'SQLite', http: 'The endpoint' } as const;

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

function chain(error: unknown): { code: string | undefined; message: string }[] {
  const links: { code: string | undefined; message: string }[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current !== undefined && current !== null; depth++) {
    if (current instanceof Error) {
      const code = (current as { code?: unknown }).code;
      links.push({ code: typeof code === 'string' ? code : undefined, message: current.message });
      // AggregateError (happy-eyeballs connects) holds the real causes in `errors`.
      const inner = (current as { errors?: unknown }).errors;
      if (Array.isArray(inner) && inner[0] !== undefined) links.push(...chain(inner[0]));
      current = current.cause;
    } else {
      links.push({ code: undefined, message: String(current) });
      break;
    }
  }
  return links;
}

/**
 * `target` names where we tried to connect (host:port, a file), never with a password.
 */
export function describeConnectionError(backend: keyof typeof BACKEND_NAMES, error: unknown, target: string): DescribedProblem {
  const name = BACKEND_NAMES[backend];
  const links = chain(error);
  const has = (predicate: (l: { code: string | undefined; message: string }) => boolean): boolean => links.some(predicate);
  const codeIs = (...codes: string[]): boolean => has((l) => l.code !== undefined && codes.includes(l.code));
  const messageHas = (pattern: RegExp): boolean => has((l) => pattern.test(l.message));

  if (codeIs('ECONNREFUSED')) {
    return { problem: 'refused', message: `${name} refused the connection at ${target}: is the server running, and is that the right port?` };
  }
  if (codeIs('28P01', '28000') || messageHas(/\b(NOAUTH|WRONGPASS)\b|password authentication failed|invalid username-password/i)) {
    return { problem: 'auth', message: `${name} at ${target} rejected the credentials: authentication failed. Check the user name and password.` };
  }
  if (codeIs('3D000') || messageHas(/database .* does not exist/i)) {
    return { problem: 'database', message: `${name} at ${target} answered, but that database does not exist. Check the database name in the URL.` };
  }
  if (has((l) => l.code !== undefined && TLS_CODES.has(l.code)) || messageHas(/\b(SSL|TLS)\b|certificate/i)) {
    return {
      problem: 'tls',
      message: `The TLS handshake with ${name} at ${target} failed: check sslmode / rediss://, the server's certificate and whether the server speaks TLS at all.`,
    };
  }
  if (codeIs('ETIMEDOUT', 'ESOCKETTIMEDOUT') || messageHas(/time(d)? ?out/i)) {
    return { problem: 'timeout', message: `${name} at ${target} did not answer in time: check the host, the port, a firewall or a VPN.` };
  }
  if (codeIs('ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH')) {
    return { problem: 'host', message: `Could not reach ${name} host ${target}: the name does not resolve or the network is unreachable.` };
  }
  if (codeIs('SQLITE_CANTOPEN', 'ENOENT', 'EACCES', 'SQLITE_NOTADB') || (backend === 'sqlite' && messageHas(/unable to open|not a database|directory does not exist/i))) {
    return { problem: 'file', message: `Could not open the SQLite file ${target}: check that the folder exists, that it is readable and that it is a SQLite database.` };
  }
  const first = links[0];
  const detail = first === undefined ? '' : ` (${scrubSecrets(first.message).slice(0, 200)})`;
  return { problem: 'unknown', message: `Could not use ${name} at ${target}${detail}.` };
}
