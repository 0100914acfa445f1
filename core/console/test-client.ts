/**
 * Calls a running console server the way the renderer does (token, Host, JSON envelope), over
 * node:http rather than fetch, since fetch won't let a test forge Host. For integration tests.
 */
import { request } from 'node:http';
import type { ApiResponse, ConsoleMethod, ConsoleOutputs } from './api.js';
import type { ConsoleServer } from './server.js';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface ConsoleTestClient {
  raw(path: string, options?: { method?: string; headers?: Record<string, string>; body?: string }): Promise<RawResponse>;
  call<M extends ConsoleMethod>(method: M, input: unknown, headers?: Record<string, string>): Promise<{ status: number; body: ApiResponse<ConsoleOutputs[M]> }>;
  /** The call's data; throws with the error code and message when it failed. */
  ok<M extends ConsoleMethod>(method: M, input: unknown): Promise<ConsoleOutputs[M]>;
}

export function consoleTestClient(server: () => ConsoleServer): ConsoleTestClient {
  const raw: ConsoleTestClient['raw'] = (path, options = {}) =>
    new Promise((resolve, reject) => {
      const { host, port } = server();
      const req = request({ host, port, path, method: options.method ?? 'GET', headers: { host: `${host}:${port}`, ...options.headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end(options.body);
    });
  const call: ConsoleTestClient['call'] = async (method, input, headers = {}) => {
    const res = await raw(`/api/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${server().token}`, ...headers },
      body: JSON.stringify(input),
    });
    return { status: res.status, body: JSON.parse(res.body) as ApiResponse<ConsoleOutputs[typeof method]> };
  };
  return {
    raw,
    call,
    async ok(method, input) {
      const { body } = await call(method, input);
      if (!body.ok) throw new Error(`${method}: ${body.error.code} ${body.error.message}`);
      return body.data;
    },
  };
}
