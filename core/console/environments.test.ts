import { mkdtempSync, readFileSync, statSync } from 'node:fs';
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
