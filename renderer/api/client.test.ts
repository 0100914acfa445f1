import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error.js';
import { createApiClient, type FetchLike } from './client.js';

function respond(status: number, body: unknown): FetchLike {
  return async () => new Response(typeof body === 'string' ? body : JSON.stringify(body), { status });
}

describe('api client', () => {
  it('posts JSON to /api/<method> and returns data', async () => {
    const seen: Array<{ url: string; init: RequestInit }> = [];
    const client = createApiClient({
      baseUrl: 'http://127.0.0.1:1',
      fetch: async (url, init) => {
        seen.push({ url, init });
        return new Response(JSON.stringify({ ok: true, data: [] }), { status: 200 });
      },
    });
    await expect(client.call('environments.list', {})).resolves.toEqual([]);
    expect(seen[0]?.url).toBe('http://127.0.0.1:1/api/environments.list');
    expect(seen[0]?.init).toMatchObject({ method: 'POST', body: '{}', credentials: 'same-origin' });
  });

  it('throws typed errors with code, field and status', async () => {
    const client = createApiClient({ fetch: respond(400, { ok: false, error: { code: 'VALIDATION', message: 'limit: too big', field: 'limit' } }) });
    const error = await client.call('environments.list', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'VALIDATION', field: 'limit', status: 400, message: 'limit: too big' });
  });

  it('maps a bare 401 and unknown codes, and network failures', async () => {
    await expect(createApiClient({ fetch: respond(401, 'nope') }).call('environments.list', {})).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(
      createApiClient({ fetch: respond(500, { ok: false, error: { code: 'WAT', message: 'm' } }) }).call('environments.list', {}),
    ).rejects.toMatchObject({ code: 'INTERNAL' });
    const offline = createApiClient({
      fetch: async () => {
        throw new TypeError('Failed to fetch');
      },
    });
    await expect(offline.call('environments.list', {})).rejects.toMatchObject({ code: 'NETWORK' });
  });
});
