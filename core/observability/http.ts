/** What the health and metrics handlers share: the handler shape, path matching, and the Fastify bridge. */
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A request handler for node:http (`createServer(handler)`) and Express (`app.use(handler)`). With
 * `next` (Express, Connect), paths the handler does not own go to `next()`; without it they get 404.
 */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void;

/** The parts of a Fastify request and reply the bridge uses, typed by shape so Fastify is not a dependency. */
export interface FastifyLikeRequest {
  readonly raw: IncomingMessage;
}
export interface FastifyLikeReply {
  readonly raw: ServerResponse;
  hijack(): unknown;
}

/**
 * Adapts a handler to a Fastify route: `fastify.get('/health', fastifyRoute(handler))` (Fastify
 * answers HEAD for GET routes itself, through the same handler). The reply is hijacked so Fastify
 * leaves the raw response to the handler.
 */
export function fastifyRoute(handler: RequestHandler): (request: FastifyLikeRequest, reply: FastifyLikeReply) => void {
  return (request, reply) => {
    reply.hijack();
    handler(request.raw, reply.raw);
  };
}

/** The request's path without its query; Express's `originalUrl` when mounted under a prefix. */
export function pathOf(req: IncomingMessage): string {
  const original = (req as { originalUrl?: unknown }).originalUrl;
  const url = typeof original === 'string' ? original : (req.url ?? '/');
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  // A trailing slash names the same resource.
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

export function send(req: IncomingMessage, res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  res.statusCode = status;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  // Probes and scrapers want the state now, never a cached copy.
  res.setHeader('Cache-Control', 'no-store');
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** GET and HEAD only: anything else on an owned path gets 405 with `Allow`. */
export function refuseMethod(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') return false;
  send(req, res, 405, 'application/json; charset=utf-8', JSON.stringify({ error: 'method not allowed' }), { Allow: 'GET, HEAD' });
  return true;
}

export function notFound(req: IncomingMessage, res: ServerResponse): void {
  send(req, res, 404, 'application/json; charset=utf-8', JSON.stringify({ error: 'not found' }));
}
