/**
 * The process's OpenTelemetry tracing: one trace per order placement, from the HTTP request through the workflow
 * start, the workflow and its activities to their Postgres queries and provider calls. Spans are exported over
 * OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (read by the exporter, with the other `OTEL_EXPORTER_OTLP_*`
 * settings); without it nothing leaves the process, but the context still travels (W3C `traceparent` and
 * `baggage`, through Temporal's headers), so every log line of an order carries its trace id and request id.
 */
import { type Context, type Span, SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { Resource } from '@opentelemetry/resources'
import {
  BatchSpanProcessor,
  NoopSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node'

export interface TracingOptions {
  /** `service.name` of every span: `order-api`, `order-worker`, `order-engine` (`npm start`). */
  serviceName: string
  /** The collector's base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`); `null` exports nothing. */
  otlpEndpoint: string | null
  /** Exports every span at once to this exporter instead (tests: an in-memory exporter). */
  exporter?: SpanExporter
}

interface InstalledTracing {
  provider: NodeTracerProvider
  resource: Resource
  /** Where workflow spans go (they are made inside the workflow sandbox and handed out by a sink). */
  spanProcessor: SpanProcessor
}

let installed: InstalledTracing | null = null

/**
 * Registers the process's tracer provider, context manager and propagators. Call once, before the first
 * connection to Temporal; later calls are ignored. Returns a function that flushes and stops it.
 */
export function installTracing(options: TracingOptions): () => Promise<void> {
  if (installed) return async () => undefined
  const resource = new Resource({ 'service.name': options.serviceName })
  const spanProcessor = options.exporter
    ? new SimpleSpanProcessor(options.exporter)
    : options.otlpEndpoint
      ? new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.otlpEndpoint.replace(/\/$/, '')}/v1/traces` }))
      : new NoopSpanProcessor()
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] })
  provider.register()
  installed = { provider, resource, spanProcessor }
  return () => provider.shutdown()
}

/** The resource and span processor workers give the workflow span sink; a no-op before {@link installTracing}. */
export function workflowSpanDestination(): { spanProcessor: SpanProcessor; resource: Resource } {
  return installed ?? { spanProcessor: new NoopSpanProcessor(), resource: Resource.empty() }
}

/** The baggage entry that carries the API's request id to the workflow, its activities and their log lines. */
export const requestIdBaggageKey = 'request.id'

/** The context with `requestId` in its baggage. */
export function withRequestId(parent: Context, requestId: string): Context {
  const baggage = propagation.getBaggage(parent) ?? propagation.createBaggage()
  return propagation.setBaggage(parent, baggage.setEntry(requestIdBaggageKey, { value: requestId }))
}

/** The trace, span and request ids of the active context, for log lines; empty outside any trace. */
export function activeTraceFields(): { traceId?: string; spanId?: string; requestId?: string } {
  const active = context.active()
  const spanContext = trace.getSpanContext(active)
  const requestId = propagation.getBaggage(active)?.getEntry(requestIdBaggageKey)?.value
  return {
    ...(spanContext && trace.isSpanContextValid(spanContext) ? { traceId: spanContext.traceId, spanId: spanContext.spanId } : {}),
    ...(requestId ? { requestId } : {}),
  }
}

const tracer = trace.getTracer('order-engine')

/**
 * Runs `fn` in a span named `name` (a child of the active span), recording a thrown error and ending the span
 * when `fn` settles.
 */
export async function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Record<string, string | number | boolean> },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes ?? {} },
    async (span) => {
      try {
        return await fn(span)
      } catch (error) {
        span.recordException(error instanceof Error ? error : String(error))
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) })
        throw error
      } finally {
        span.end()
      }
    },
  )
}

/**
 * `adapter` with each of its methods in a client span `<kind>.<method>` (`payment.authorize`,
 * `carrier.createLabel`), carrying the adapter's name: the provider calls of an order's trace.
 */
export function withClientSpans<T extends { readonly name: string }>(kind: string, adapter: T): T {
  return new Proxy(adapter, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver)
      if (typeof value !== 'function' || typeof property !== 'string') return value
      return (...args: unknown[]) =>
        inSpan(`${kind}.${property}`, { kind: SpanKind.CLIENT, attributes: { [`${kind}.provider`]: target.name } }, () =>
          Promise.resolve((value as (...inner: unknown[]) => unknown).apply(target, args)),
        )
    },
  })
}
