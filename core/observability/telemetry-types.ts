/**
 * The OpenTelemetry objects `openStore({ telemetry })` takes, typed by shape instead of imported
 * from `@opentelemetry/api`: the store's declarations then compile in a project without it. A
 * `Meter` from `metrics.getMeter()` is a `TelemetryMeter`; a `Tracer` from `trace.getTracer()` is a
 * `TelemetryTracer`.
 */

export type TelemetryAttributes = Record<string, string | number | boolean>;

export interface TelemetryHistogram {
  record(value: number, attributes?: TelemetryAttributes): void;
}

export interface TelemetryCounter {
  add(value: number, attributes?: TelemetryAttributes): void;
}

export interface TelemetryInstrumentOptions {
  description?: string;
  unit?: string;
  advice?: { explicitBucketBoundaries?: number[] };
}

export interface TelemetryMeter {
  createHistogram(name: string, options?: TelemetryInstrumentOptions): TelemetryHistogram;
  createCounter(name: string, options?: TelemetryInstrumentOptions): TelemetryCounter;
}

export interface TelemetrySpan {
  setAttribute(key: string, value: string | number | boolean): unknown;
  /** `code` 2 is OpenTelemetry's `SpanStatusCode.ERROR`. */
  setStatus(status: { code: 2; message?: string }): unknown;
  end(): void;
}

export interface TelemetryTracer {
  startActiveSpan<F extends (span: TelemetrySpan) => unknown>(name: string, options: { attributes?: TelemetryAttributes }, fn: F): ReturnType<F>;
}

/** `openStore({ telemetry })`: either or both. */
export interface TelemetryOptions {
  meter?: TelemetryMeter;
  tracer?: TelemetryTracer;
}
