import { describe, expect, it } from 'vitest';
import { environment } from '../../testing/fixtures.js';
import { connectionFromForm, emptyForm, formFromEnvironment, formProblems, loweredProtection, postgresUrlFor, redisUrlFor, withKind } from './environment-form.js';

describe('environment form', () => {
  it('production defaults to read-only and red, and stays read-only when picked', () => {
    const form = withKind({ ...emptyForm('local'), readOnly: false }, 'production');
    expect(form).toMatchObject({ kind: 'production', readOnly: true, color: '#e5484d' });
    expect(withKind({ ...emptyForm('local'), color: '#123456' }, 'staging').color).toBe('#123456');
  });

  it('builds TLS and topology into the Redis scheme, sslmode into the PostgreSQL URL', () => {
    expect(redisUrlFor('redis://:pw@cache:6379/0', true, 'standalone')).toBe('rediss://:pw@cache:6379/0');
    expect(redisUrlFor('cache:26379', false, 'sentinel')).toBe('redis+sentinel://cache:26379');
    expect(redisUrlFor('rediss+cluster://a:1', false, 'standalone')).toBe('redis://a:1');
    expect(postgresUrlFor('postgres://u@db/chat', 'verify-full')).toBe('postgres://u@db/chat?sslmode=verify-full');
    expect(postgresUrlFor('postgres://u@db/chat?sslmode=require', '')).toBe('postgres://u@db/chat');
  });

  it('maps the form to a connection and back', () => {
    const form = { ...emptyForm('staging'), name: 'Stage', postgresUrl: 'postgres://u@db:5432/chat', redisUrl: 'redis://cache:6379' };
    expect(connectionFromForm(form)).toEqual({
      postgres: { url: 'postgres://u@db:5432/chat?sslmode=require' },
      redis: { url: 'rediss://cache:6379' },
    });
    expect(connectionFromForm({ ...form, backend: 'sqlite', sqlitePath: ' /x.db ', useRedis: false })).toEqual({ sqlite: { path: '/x.db' } });
    const env = environment({
      connection: {
        postgres: { url: 'postgres://u@db:5432/chat?sslmode=require', host: 'db', port: 5432, database: 'chat', user: 'u', sslmode: 'require' },
        redis: { url: 'rediss://cache:6379', tls: true, topology: 'standalone', hosts: ['cache:6379'], user: null },
      },
    });
    expect(formFromEnvironment(env)).toMatchObject({ backend: 'postgres', sslmode: 'require', useRedis: true, redisTls: true });
  });

  it('names what is missing', () => {
    expect(formProblems(emptyForm())).toEqual({ name: 'Give the environment a name.', postgresUrl: 'A URL like postgres://user@host:5432/db' });
    expect(formProblems({ ...emptyForm(), name: 'x', backend: 'sqlite', sqlitePath: '/a' })).toEqual({});
  });

  it('names what an edit would take away, so the dialog can ask before sending confirm', () => {
    const prod = environment({ kind: 'production', readOnly: true });
    expect(loweredProtection(null, emptyForm('local'))).toEqual([]);
    expect(loweredProtection(prod, formFromEnvironment(prod))).toEqual([]);
    expect(loweredProtection(prod, { ...formFromEnvironment(prod), kind: 'staging' })).toHaveLength(1);
    expect(loweredProtection(prod, { ...formFromEnvironment(prod), kind: 'staging', readOnly: false })).toHaveLength(2);
    const local = environment({ kind: 'local', readOnly: false });
    expect(loweredProtection(local, { ...formFromEnvironment(local), kind: 'production', readOnly: true })).toEqual([]);
  });
});
