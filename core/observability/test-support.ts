/** For tests: the handlers mounted on real node:http, Express and Fastify servers on free ports. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { expect } from 'vitest';
import type { StoreStats } from '../metrics/types.js';
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

export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedExposition {
  help: Map<string, string>;
  types: Map<string, string>;
  samples: ParsedSample[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y;

function unescapeLabel(value: string): string {
  return value.replace(/\\(.)/g, (_, char: string) => (char === 'n' ? '\n' : char));
}

/**
 * A strict reader of the text format: every sample's family has HELP and TYPE lines before its
 * first sample, each only once; label values are unescaped. Throws on any line it cannot read.
 */
export function parseExposition(text: string): ParsedExposition {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a line feed');
  const parsed: ParsedExposition = { help: new Map(), types: new Map(), samples: [] };
  for (const line of text.slice(0, -1).split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta !== null) {
      const [, kind, name, rest] = meta as unknown as [string, 'HELP' | 'TYPE', string, string];
      const map = kind === 'HELP' ? parsed.help : parsed.types;
      if (map.has(name)) throw new Error(`second ${kind} for ${name}`);
      if (kind === 'TYPE' && !['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest)) throw new Error(`bad TYPE ${rest}`);
      if (parsed.samples.some((sample) => sample.name === name)) throw new Error(`${kind} for ${name} after its samples`);
      map.set(name, rest);
      continue;
    }
    if (line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (match === null) throw new Error(`unreadable line: ${line}`);
    const [, name, , labelText, valueText] = match as unknown as [string, string, string | undefined, string | undefined, string];
    const labels: Record<string, string> = {};
    if (labelText !== undefined && labelText !== '') {
      LABEL.lastIndex = 0;
      while (LABEL.lastIndex < labelText.length) {
        const label = LABEL.exec(labelText);
        if (label === null) throw new Error(`unreadable labels: ${labelText}`);
        labels[label[1] as string] = unescapeLabel(label[2] as string);
      }
    }
    const value = valueText === '+Inf' ? Infinity : valueText === '-Inf' ? -Infinity : Number(valueText);
    if (Number.isNaN(value) && valueText !== 'NaN') throw new Error(`bad value ${valueText}`);
    if (!parsed.types.has(name) || !parsed.help.has(name)) throw new Error(`sample ${name} before its HELP and TYPE`);
    parsed.samples.push({ name, labels, value });
  }
  return parsed;
}

/** The value of the one sample with this name and exactly these labels; throws when not exactly one. */
export function sampleValue(parsed: ParsedExposition, name: string, labels: Record<string, string> = {}): number {
  const wanted = JSON.stringify(Object.entries(labels).sort());
  const found = parsed.samples.filter((sample) => sample.name === name && JSON.stringify(Object.entries(sample.labels).sort()) === wanted);
  if (found.length !== 1) throw new Error(`${found.length} samples ${name}${wanted}`);
  return (found[0] as ParsedSample).value;
}

/** Every figure of `stats()` the exposition carries, checked against it. */
export function expectAgrees(parsed: ParsedExposition, stats: StoreStats): void {
  for (const [tier, figures] of Object.entries(stats.tiers)) {
    if (figures === undefined) continue;
    expect(sampleValue(parsed, 'scrollback_cache_requests_total', { tier, outcome: 'hit' })).toBe(figures.hits);
    expect(sampleValue(parsed, 'scrollback_cache_requests_total', { tier, outcome: 'miss' })).toBe(figures.misses);
    expect(sampleValue(parsed, 'scrollback_cache_requests_total', { tier, outcome: 'error' })).toBe(figures.errors);
    expect(sampleValue(parsed, 'scrollback_tier_latency_ms', { tier, quantile: '0.5' })).toBe(figures.latencyMs.p50);
    expect(sampleValue(parsed, 'scrollback_tier_latency_ms', { tier, quantile: '0.95' })).toBe(figures.latencyMs.p95);
    expect(sampleValue(parsed, 'scrollback_tier_latency_ms', { tier, quantile: '0.99' })).toBe(figures.latencyMs.p99);
  }
  for (const [outcome, count] of Object.entries(stats.cacheScripts)) {
    expect(sampleValue(parsed, 'scrollback_cache_script_outcomes_total', { outcome })).toBe(count);
  }
  expect(sampleValue(parsed, 'scrollback_appends_total')).toBe(stats.appends);
  for (const [backend, state] of Object.entries(stats.backends)) {
    if (state === undefined) continue;
    expect(sampleValue(parsed, 'scrollback_backend_up', { backend })).toBe({ up: 1, degraded: 0.5, down: 0 }[state.status]);
    if (state.breaker !== undefined) {
      expect(sampleValue(parsed, 'scrollback_breaker_state', { backend, state: state.breaker })).toBe(1);
      expect(sampleValue(parsed, 'scrollback_breaker_opened_total', { backend })).toBe(state.breakerOpened);
    }
  }
}

