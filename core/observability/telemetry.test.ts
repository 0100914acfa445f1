import { AggregationTemporality, MeterProvider, MetricReader, type DataPoint, type Histogram } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newId, user, assistant } from '../testing/contract/target.js';
import { openStore } from '../store/open-store.js';
import type { ConversationStore } from '../store/types.js';
import { ValidationError, VersionConflictError } from '../errors/errors.js';
import type { TelemetryMeter, TelemetryTracer } from './telemetry-types.js';

/** Collects on demand: what a Prometheus or OTLP exporter would be handed at that moment. */
class ManualReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

interface Telemetry {
  reader: ManualReader;
  spans: InMemorySpanExporter;
  meter: TelemetryMeter;
  tracer: TelemetryTracer;
}

function telemetry(): Telemetry {
  const reader = new ManualReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  // The SDK's objects are what the option's structural types describe.
  const meter: TelemetryMeter = meterProvider.getMeter('scrollback-test');
  const tracer: TelemetryTracer = tracerProvider.getTracer('scrollback-test');
  return { reader, spans, meter, tracer };
}

async function points(reader: ManualReader, name: string): Promise<{ unit: string; points: DataPoint<unknown>[] }> {
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  const metric = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).find((candidate) => candidate.descriptor.name === name);
  return { unit: metric?.descriptor.unit ?? '', points: (metric?.dataPoints ?? []) as DataPoint<unknown>[] };
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function sqliteStore(t: Telemetry): Promise<ConversationStore> {
  const dir = mkdtempSync(join(tmpdir(), 'scrollback-otel-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const store = await openStore({ sqlite: { path: join(dir, 'store.db') }, telemetry: { meter: t.meter, tracer: t.tracer } });
  cleanups.push(() => store.close());
  return store;
}

describe('openStore({ telemetry })', () => {
  it('records db.client.operation.duration in seconds per log call, with db.system.name, db.operation.name and error.type', async () => {
    const t = telemetry();
    const store = await sqliteStore(t);
    const id = newId();
    await store.append(id, [user('q')]);
    await store.append(id, [assistant('a')]);
    await store.tail(id);
    await expect(store.append(id, [user('late')], { expectedVersion: 1 })).rejects.toBeInstanceOf(VersionConflictError);
    const { unit, points: data } = await points(t.reader, 'db.client.operation.duration');
    expect(unit).toBe('s');
    const count = (attributes: Record<string, string>) =>
      data
        .filter((point) => Object.entries(attributes).every(([key, value]) => point.attributes[key] === value) && (attributes['error.type'] !== undefined || point.attributes['error.type'] === undefined))
        .reduce((sum, point) => sum + (point.value as Histogram).count, 0);
    expect(count({ 'db.system.name': 'sqlite', 'db.operation.name': 'append' })).toBe(2);
    expect(count({ 'db.system.name': 'sqlite', 'db.operation.name': 'append', 'error.type': 'VERSION_CONFLICT' })).toBe(1);
    expect(count({ 'db.system.name': 'sqlite', 'db.operation.name': 'migrate' })).toBe(1);
    expect(data.every((point) => point.attributes['db.system.name'] === 'sqlite')).toBe(true);
    const appendPoint = data.find((point) => point.attributes['db.operation.name'] === 'append' && point.attributes['error.type'] === undefined);
    const histogram = appendPoint?.value as Histogram;
    expect(histogram.sum).toBeGreaterThan(0);
    // Seconds, not milliseconds: an append to a local file is far below one second.
    expect(histogram.max).toBeLessThan(1);
  });

  it('counts scrollback.cache.requests per tier and outcome, as stats() does', async () => {
    const t = telemetry();
    const store = await sqliteStore(t);
    for (let i = 0; i < 3; i++) {
      const id = newId();
      await store.append(id, [user(`q${i}`)]);
      await store.tail(id);
    }
    await store.tail(newId());
    const { points: data } = await points(t.reader, 'scrollback.cache.requests');
    const value = (tier: string, outcome: string) =>
      data.filter((point) => point.attributes.tier === tier && point.attributes.outcome === outcome).reduce((sum, point) => sum + (point.value as number), 0);
    const stats = store.stats();
    expect(value('log', 'hit')).toBe(stats.tiers.log.hits);
    expect(value('log', 'miss')).toBe(stats.tiers.log.misses);
    expect(stats.tiers.log.hits).toBe(3);
    expect(stats.tiers.log.misses).toBe(1);
  });

  it('puts a span around each store call carrying gen_ai.conversation.id; a failed call has status ERROR and error.type', async () => {
    const t = telemetry();
    const store = await sqliteStore(t);
    const id = newId();
    await store.append(id, [user('secret words')]);
    await store.tail(id);
    await store.listConversations();
    await expect(store.append(id, [user('late')], { expectedVersion: 7 })).rejects.toBeInstanceOf(VersionConflictError);
    const spans = t.spans.getFinishedSpans();
    const byName = (name: string) => spans.filter((span) => span.name === name);
    expect(byName('scrollback.append')[0]?.attributes['gen_ai.conversation.id']).toBe(id);
    expect(byName('scrollback.tail')[0]?.attributes['gen_ai.conversation.id']).toBe(id);
    expect(byName('scrollback.listConversations')).toHaveLength(1);
    const failed = byName('scrollback.append')[1];
    expect(failed?.status.code).toBe(2);
    expect(failed?.attributes['error.type']).toBe('VERSION_CONFLICT');
    expect(byName('scrollback.append')[0]?.status.code).toBe(0);
    // Spans carry ids and error types, never message content.
    expect(JSON.stringify(spans.map((span) => ({ name: span.name, attributes: span.attributes, status: span.status })))).not.toContain('secret words');
    // The traced store is still the store.
    expect(store.mode).toBe('embedded');
    expect(store.stats().appends).toBe(1);
  });

  it('refuses a telemetry option that is not OpenTelemetry objects', async () => {
    await expect(openStore({ sqlite: { path: ':memory:' }, telemetry: { meter: {} as never } })).rejects.toThrow(ValidationError);
    await expect(openStore({ sqlite: { path: ':memory:' }, telemetry: { tracer: { startSpan: () => null } as never } })).rejects.toThrow(/telemetry.tracer/);
    await expect(openStore({ sqlite: { path: ':memory:' }, telemetry: 'otel' as never })).rejects.toThrow(/telemetry/);
  });
});
