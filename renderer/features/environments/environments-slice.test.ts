import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/api-error.js';
import { environment } from '../../testing/fixtures.js';
import { storeWith } from '../../testing/fake-api.js';
import { describeConnection, selectCurrentEnvironment, selectMasked, selectReadOnlyReason, stripPassword } from './environments-selectors.js';

const security = { secretStorage: 'none' as const, canSavePasswords: false, reason: 'no keyring', host: '127.0.0.1' as const };

describe('environments slice', () => {
  it('loads environments and selects the local one when none is chosen', async () => {
    const prod = environment({ id: 'prod', kind: 'production', readOnly: true, masked: true, name: 'Prod' });
    const local = environment({ id: 'local' });
    const { store } = storeWith({ 'environments.list': () => [prod, local], 'security.status': () => security }, null);
    await store.getState().loadEnvironments();
    expect(store.getState().environmentId).toBe('local');
    expect(store.getState().security?.canSavePasswords).toBe(false);
    expect(selectReadOnlyReason(store.getState())).toBeNull();
  });

  it('production: read-only with a reason, masked until revealed', async () => {
    const prod = environment({ id: 'prod', kind: 'production', readOnly: true, masked: true, name: 'Prod' });
    const { store } = storeWith({ 'environments.list': () => [prod], 'security.status': () => security }, 'prod');
    await store.getState().loadEnvironments();
    expect(selectCurrentEnvironment(store.getState())?.id).toBe('prod');
    expect(selectReadOnlyReason(store.getState())).toMatch(/Prod is read-only \(production\)/);
    expect(selectMasked(store.getState())).toBe(true);
    store.getState().setRevealed(true);
    expect(selectMasked(store.getState())).toBe(false);
  });

  it('an unknown environment is treated as read-only (fails closed)', () => {
    const { store } = storeWith({}, 'ghost');
    expect(selectReadOnlyReason(store.getState())).toBe('No environment selected.');
  });

  it('switching environment resets what belonged to the previous one', async () => {
    const { store } = storeWith({ 'environments.list': () => [environment(), environment({ id: 'env-2' })], 'security.status': () => security });
    store.setState((s) => ({ revealed: true, live: { ...s.live, tail: [] }, conversations: { ...s.conversations, status: 'ready' } }));
    store.getState().selectEnvironment('env-2');
    expect(store.getState().revealed).toBe(false);
    expect(store.getState().conversations.status).toBe('idle');
  });

  it('saves an update in place and removes an environment', async () => {
    const { store, api } = storeWith({
      'environments.list': () => [environment(), environment({ id: 'env-2', name: 'Two' })],
      'security.status': () => security,
      'environments.update': (input) => environment({ id: input.environmentId, name: input.name ?? 'x' }),
      'environments.remove': () => ({ removed: true }),
    });
    await store.getState().loadEnvironments();
    await store.getState().saveEnvironment('env-2', { name: 'Renamed', kind: 'local', connection: { sqlite: { path: '/x' } } });
    expect(store.getState().environments.items.map((e) => e.name)).toEqual(['Local demo', 'Renamed']);
    expect(api.calls.at(-1)).toEqual({
      method: 'environments.update',
      input: { environmentId: 'env-2', name: 'Renamed', kind: 'local', connection: { sqlite: { path: '/x' } } },
    });
    await store.getState().removeEnvironment('env-1');
    expect(store.getState().environments.items.map((e) => e.id)).toEqual(['env-2']);
    expect(store.getState().environmentId).toBe('env-2');
  });

  it('records a failed connection test in words', async () => {
    const { store } = storeWith({
      'environments.test': () => {
        throw new ApiError('CONNECTION_FAILED', 'PostgreSQL refused the connection at db:5432', 400);
      },
    });
    await store.getState().testEnvironment('draft', { connection: { postgres: { url: 'postgres://db:5432/x' } } });
    expect(store.getState().environmentTests.draft).toEqual({
      running: false,
      result: null,
      error: 'PostgreSQL refused the connection at db:5432',
    });
  });
});

describe('connection display', () => {
  it('never shows a password', () => {
    expect(stripPassword('postgres://app:s3cret@db:5432/chat')).toBe('postgres://app:%E2%80%A2%E2%80%A2%E2%80%A2@db:5432/chat');
    expect(stripPassword('not a url://u:pw@h')).not.toContain('pw');
    const env = environment({
      connection: {
        redis: { url: 'rediss://cache:6380', tls: true, topology: 'sentinel', hosts: ['cache:6380'], user: null },
        sqlite: { path: '/data/x.sqlite' },
      },
    });
    expect(describeConnection(env)).toBe('SQLite /data/x.sqlite + rediss://cache:6380 (sentinel)');
  });
});
