import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnvironmentRegistry } from './environments.js';
import { KeyFileSecretBox, NoSecretBox } from './secret-box.js';

const PASSWORD = 'hunter2-Very$ecret';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'sb-env-'));
}

function productionInput() {
  return {
    name: 'Prod EU',
    kind: 'production' as const,
    connection: {
      postgres: { url: `postgres://app:${encodeURIComponent(PASSWORD)}@db.internal:5432/chat?sslmode=verify-full` },
      redis: { url: `rediss://default:${encodeURIComponent(PASSWORD)}@cache.internal:6380` },
    },
  };
}

describe('EnvironmentRegistry with a key file', () => {
  it('never writes a password in plain text and keeps files private', () => {
    const dir = tempDir();
    const registry = new EnvironmentRegistry(dir, new KeyFileSecretBox(join(dir, 'secret.key')));
    const view = registry.create(productionInput());
    const file = readFileSync(join(dir, 'environments.json'), 'utf8');
    expect(file).not.toContain(PASSWORD);
    expect(file).not.toContain(encodeURIComponent(PASSWORD));
    expect(file).toContain('db.internal');
    expect(statSync(join(dir, 'environments.json')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(view.secret).toBe('saved');
    expect(JSON.stringify(view)).not.toContain(PASSWORD);
    expect(view.connection.postgres).toMatchObject({ host: 'db.internal', port: 5432, database: 'chat', user: 'app', sslmode: 'verify-full' });
    expect(view.connection.redis).toMatchObject({ tls: true, topology: 'standalone' });
  });

  it('restores the password for connecting, also after a restart', () => {
    const dir = tempDir();
    const box = () => new KeyFileSecretBox(join(dir, 'secret.key'));
    const id = new EnvironmentRegistry(dir, box()).create(productionInput()).id;
    const reopened = new EnvironmentRegistry(dir, box());
    const resolved = reopened.resolve(id);
    expect(new URL(resolved.postgres?.url ?? '').password).toBe(encodeURIComponent(PASSWORD));
    expect(decodeURIComponent(new URL(resolved.redis?.url ?? '').password)).toBe(PASSWORD);
  });

  it('encrypts equal passwords to different ciphertexts', () => {
    const dir = tempDir();
    const box = new KeyFileSecretBox(join(dir, 'secret.key'));
    expect(box.encrypt(PASSWORD)).not.toBe(box.encrypt(PASSWORD));
    expect(box.decrypt(box.encrypt(PASSWORD))).toBe(PASSWORD);
  });

  it('makes production read-only and masked by default', () => {
    const dir = tempDir();
    const registry = new EnvironmentRegistry(dir, new KeyFileSecretBox(join(dir, 'secret.key')));
    const prod = registry.create(productionInput());
    expect(prod).toMatchObject({ readOnly: true, masked: true, color: '#dc2626' });
    const local = registry.create({ name: 'Dev', kind: 'local', connection: { sqlite: { path: join(dir, 'x.sqlite') } } });
    expect(local).toMatchObject({ readOnly: false, masked: false });
    expect(registry.update({ environmentId: local.id, kind: 'production' }).readOnly).toBe(true);
  });

  it('keeps a saved password when the URL is edited without one, drops it when the host changes', () => {
    const dir = tempDir();
    const registry = new EnvironmentRegistry(dir, new KeyFileSecretBox(join(dir, 'secret.key')));
    const id = registry.create(productionInput()).id;
    registry.update({ environmentId: id, connection: { postgres: { url: 'postgres://app@db.internal:5432/chat?sslmode=verify-full' } } });
    expect(new URL(registry.resolve(id).postgres?.url ?? '').password).not.toBe('');
    registry.update({ environmentId: id, connection: { postgres: { url: 'postgres://app@other.internal:5432/chat' } } });
    expect(new URL(registry.resolve(id).postgres?.url ?? '').password).toBe('');
    expect(registry.get(id).hasSecret).toBe(false);
  });
});

describe('EnvironmentRegistry without a secure store', () => {
  it('keeps passwords in memory only and says so', () => {
    const dir = tempDir();
    const registry = new EnvironmentRegistry(dir, new NoSecretBox('safeStorage uses a fixed key (basic_text) on this desktop'));
    const view = registry.create(productionInput());
    expect(view.secret).toBe('session');
    expect(readFileSync(join(dir, 'environments.json'), 'utf8')).not.toContain(PASSWORD);
    expect(new URL(registry.resolve(view.id).postgres?.url ?? '').password).not.toBe('');
    const afterRestart = new EnvironmentRegistry(dir, new NoSecretBox('no keyring'));
    expect(afterRestart.get(view.id).hasSecret).toBe(false);
  });
});

describe('secrets outside URL userinfo', () => {
  const QUERY_PW = 'q-Pass$word-1';
  const SSL_PW = 'ssl-Key#pass-2';
  const SENTINEL_PW = 'sentinel-Pw!3';
  const LONE = 'lone-Redis-secret-4';

  function input() {
    return {
      name: 'Odd URLs',
      kind: 'staging' as const,
      connection: {
        postgres: { url: `postgres://app@db.internal:5432/chat?sslmode=require&password=${encodeURIComponent(QUERY_PW)}&sslpassword=${encodeURIComponent(SSL_PW)}` },
        redis: { url: `redis+sentinel://cache.internal:26379/mymaster?sentinelPassword=${encodeURIComponent(SENTINEL_PW)}` },
      },
    };
  }

  function expectNoSecret(text: string): void {
    for (const secret of [QUERY_PW, SSL_PW, SENTINEL_PW, LONE]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(encodeURIComponent(secret));
    }
  }

  it('moves query-parameter passwords to the secret box, shows *** and puts them back to connect', () => {
    const dir = tempDir();
    const registry = new EnvironmentRegistry(dir, new KeyFileSecretBox(join(dir, 'secret.key')));
    const view = registry.create(input());
    expectNoSecret(readFileSync(join(dir, 'environments.json'), 'utf8'));
    expectNoSecret(JSON.stringify(view));
    expectNoSecret(JSON.stringify(registry.list()));
    expect(view.hasSecret).toBe(true);
    expect(view.connection.postgres?.url).toBe('postgres://app@db.internal:5432/chat?sslmode=require&password=***&sslpassword=***');
    expect(view.connection.redis?.url).toBe('redis+sentinel://cache.internal:26379/mymaster?sentinelPassword=***');
    const resolved = new EnvironmentRegistry(dir, new KeyFileSecretBox(join(dir, 'secret.key'))).resolve(view.id);
    const pg = new URL(resolved.postgres?.url ?? '');
    expect(pg.searchParams.get('password')).toBe(QUERY_PW);
    expect(pg.searchParams.get('sslpassword')).toBe(SSL_PW);
    expect(pg.searchParams.get('sslmode')).toBe('require');
    expect(resolved.redis?.url).toContain(`sentinelPassword=${encodeURIComponent(SENTINEL_PW)}`);
  });

  it('treats a lone Redis userinfo as the password', () => {
    const dir = tempDir();
    const registry = new EnvironmentRegistry(dir, new KeyFileSecretBox(join(dir, 'secret.key')));
    const view = registry.create({ name: 'Lone', kind: 'local', connection: { sqlite: { path: join(dir, 'x.sqlite') }, redis: { url: `redis://${LONE}@cache.internal:6379/0` } } });
    expectNoSecret(readFileSync(join(dir, 'environments.json'), 'utf8'));
    expectNoSecret(JSON.stringify(registry.list()));
    expect(view).toMatchObject({ hasSecret: true, connection: { redis: { url: 'redis://***@cache.internal:6379/0', user: null } } });
    expect(registry.resolve(view.id).redis?.url).toBe(`redis://${LONE}@cache.internal:6379/0`);
  });

  it('keeps saved secrets when the form sends the *** URL back unchanged', () => {
    const dir = tempDir();
    const registry = new EnvironmentRegistry(dir, new KeyFileSecretBox(join(dir, 'secret.key')));
    const view = registry.create(input());
    const shown = view.connection;
    registry.update({ environmentId: view.id, connection: { postgres: { url: shown.postgres?.url ?? '' }, redis: { url: shown.redis?.url ?? '' } } });
    const pg = new URL(registry.resolve(view.id).postgres?.url ?? '');
    expect(pg.searchParams.get('password')).toBe(QUERY_PW);
    expect(pg.searchParams.getAll('password')).toHaveLength(1);
    expectNoSecret(readFileSync(join(dir, 'environments.json'), 'utf8'));
  });

  it('tests an edited draft with the saved secrets, but never sends them to another host', () => {
    const dir = tempDir();
    const registry = new EnvironmentRegistry(dir, new KeyFileSecretBox(join(dir, 'secret.key')));
    const view = registry.create(input());
    const shown = view.connection.postgres?.url ?? '';
    const same = new URL(registry.resolveDraft(view.id, { postgres: { url: shown } }).postgres?.url ?? '');
    expect(same.searchParams.get('password')).toBe(QUERY_PW);
    const elsewhere = registry.resolveDraft(view.id, { postgres: { url: shown.replace('db.internal', 'attacker.example') } });
    expect(elsewhere.postgres?.url).not.toContain(encodeURIComponent(QUERY_PW));
    expect(elsewhere.postgres?.url).not.toContain(QUERY_PW);
  });

  it('moves secrets an older file kept in its URLs into the secret box on load', () => {
    const dir = tempDir();
    const old = {
      version: 1,
      environments: [
        {
          id: 'old', name: 'Old', kind: 'staging', color: '#d97706', readOnly: false, builtIn: false, createdAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-01T00:00:00.000Z',
          connection: {
            postgres: { url: `postgres://app@db.internal:5432/chat?password=${encodeURIComponent(QUERY_PW)}` },
            redis: { url: `redis://${LONE}@cache.internal:6379` },
          },
          secrets: {},
        },
      ],
    };
    writeFileSync(join(dir, 'environments.json'), JSON.stringify(old));
    const registry = new EnvironmentRegistry(dir, new KeyFileSecretBox(join(dir, 'secret.key')));
    expectNoSecret(readFileSync(join(dir, 'environments.json'), 'utf8'));
    expectNoSecret(JSON.stringify(registry.list()));
    expect(registry.get('old').hasSecret).toBe(true);
    const resolved = registry.resolve('old');
    expect(new URL(resolved.postgres?.url ?? '').searchParams.get('password')).toBe(QUERY_PW);
    expect(resolved.redis?.url).toBe(`redis://${LONE}@cache.internal:6379`);
  });

  it('reads an older file that kept the Redis user name after taking the password out', () => {
    const dir = tempDir();
    const box = new KeyFileSecretBox(join(dir, 'secret.key'));
    const old = {
      version: 1,
      environments: [
        {
          id: 'acl', name: 'ACL', kind: 'staging', color: '#d97706', readOnly: false, builtIn: false, createdAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-01T00:00:00.000Z',
          connection: { sqlite: { path: join(dir, 'x.sqlite') }, redis: { url: 'rediss://default@cache.internal:6380' } },
          secrets: { redis: box.encrypt(PASSWORD) },
        },
      ],
    };
    writeFileSync(join(dir, 'environments.json'), JSON.stringify(old));
    const registry = new EnvironmentRegistry(dir, box);
    expect(registry.resolve('acl').redis?.url).toBe(`rediss://default:${encodeURIComponent(PASSWORD)}@cache.internal:6380`);
    expect(registry.get('acl').connection.redis).toMatchObject({ user: 'default', url: 'rediss://default:***@cache.internal:6380' });
  });
});
