/** For tests: the handlers mounted on real node:http, Express and Fastify servers on free ports. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { fastifyRoute, type RequestHandler } from './http.js';

export interface Running {
  url: string;
  close(): Promise<void>;
}

function listen(server: Server): Promise<Running> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () => new Promise<void>((done, fail) => server.close((error) => (error ? fail(error) : done()))),
      });
    });
  });
}

export function nodeServer(handler: RequestHandler): Promise<Running> {
  return listen(createServer((req, res) => handler(req, res)));
}

/** The handler mounted with `app.use`, after and before an application route of its own. */
export function expressServer(handler: RequestHandler): Promise<Running> {
  const app = express();
  app.get('/app', (_req, res) => {
    res.type('text/plain').send('app route');
  });
  app.use(handler);
  app.use((_req, res) => {
    res.status(404).type('text/plain').send('express 404');
  });
  return listen(createServer(app));
}

export async function fastifyServer(routes: Record<string, RequestHandler>): Promise<Running> {
  const app = Fastify();
  for (const [path, handler] of Object.entries(routes)) app.get(path, fastifyRoute(handler));
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url: address, close: () => app.close() };
}
