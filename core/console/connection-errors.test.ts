import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { BackendUnavailableError } from '../errors/errors.js';
import { describeConnectionError } from './connection-errors.js';
import { probePostgres, probeRedis, probeSqlite } from './connection-probe.js';
import { scrubSecrets } from './connection-url.js';

function driverError(message: string, code?: string): Error {
  return Object.assign(new Error(message), code === undefined ? {} : { code });
}

describe('describeConnectionError', () => {
  it.each([
    ['postgres', driverError('connect ECONNREFUSED 10.0.0.1:5432', 'ECONNREFUSED'), 'refused', /refused the connection/],
    ['postgres', driverError('password authentication failed for user "app"', '28P01'), 'auth', /authentication failed/],
    ['redis', driverError('WRONGPASS invalid username-password pair or user is disabled.'), 'auth', /authentication failed/],
    ['redis', driverError('NOAUTH Authentication required.'), 'auth', /authentication failed/],
    ['postgres', driverError('database "shop" does not exist', '3D000'), 'database', /database does not exist/],
    ['postgres', driverError('self-signed certificate', 'DEPTH_ZERO_SELF_SIGNED_CERT'), 'tls', /TLS handshake/],
    ['postgres', driverError('The server does not support SSL connections'), 'tls', /TLS/],
    ['redis', driverError('connect ETIMEDOUT', 'ETIMEDOUT'), 'timeout', /did not answer in time/],
    ['postgres', driverError('getaddrinfo ENOTFOUND db.internal', 'ENOTFOUND'), 'host', /does not resolve/],
  ] as const)('%s: %s → %s', (backend, error, problem, wording) => {
    const described = describeConnectionError(backend, error, 'db.internal:5432');
    expect(described.problem).toBe(problem);
    expect(described.message).toMatch(wording);
    expect(described.message).toContain('db.internal:5432');
  });

  it('finds the driver error behind the store wrapper', () => {
    const wrapped = new BackendUnavailableError('postgres', 'connect failed', { cause: driverError('x', 'ECONNREFUSED') });
    expect(describeConnectionError('postgres', wrapped, 'h:1').problem).toBe('refused');
  });

  it('never repeats a password from the driver message', () => {
    const described = describeConnectionError('postgres', driverError('bad url postgres://app:hunter2@db/x'), 'db');
    expect(described.message).not.toContain('hunter2');
  });
});

describe('scrubSecrets', () => {
  it('removes passwords from URLs in text', () => {
    expect(scrubSecrets('failed: rediss://default:s3cr%40t@cache:6380/0 and postgres://u:p@h/db')).toBe('failed: rediss://default:***@cache:6380/0 and postgres://u:***@h/db');
  });

  it('removes query-parameter passwords and a lone Redis userinfo', () => {
    expect(scrubSecrets('postgres://u@h/db?sslmode=require&password=p1&sslpassword=p2 and redis+sentinel://h:26379/m?sentinelPassword=p3')).toBe(
      'postgres://u@h/db?sslmode=require&password=***&sslpassword=*** and redis+sentinel://h:26379/m?sentinelPassword=***',
    );
    expect(scrubSecrets('redis://lonesecret@cache:6379')).toBe('redis://***@cache:6379');
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('probes against nothing listening', () => {
  it('reports PostgreSQL as refused', async () => {
    const port = await closedPort();
    const result = await probePostgres(`postgres://app:pw@127.0.0.1:${port}/db`);
    expect(result.status).toBe('down');
    expect(result.error).toBe('refused');
    expect(result.message).not.toContain('pw@');
  });

  it('reports Redis as refused', async () => {
    const port = await closedPort();
    const result = await probeRedis(`redis://127.0.0.1:${port}/9`);
    expect(result).toMatchObject({ status: 'down', error: 'refused' });
    // The address it names keeps its database number.
    expect(result.message).toContain(`127.0.0.1:${port}/9`);
  });

  it('reports a file that is not a database', async () => {
    const result = probeSqlite(new URL(import.meta.url).pathname);
    expect(result).toMatchObject({ status: 'down', error: 'file' });
  });
});
