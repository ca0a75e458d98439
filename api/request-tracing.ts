import { SpanKind, SpanStatusCode, type TextMapGetter, context, propagation, trace } from '@opentelemetry/api'
import type { MiddlewareHandler } from 'hono'
import { withRequestId } from '../tracing.js'
import type { AppEnv } from './app-deps.js'

const tracer = trace.getTracer('order-engine-api')

/** Reads the propagators' headers (`traceparent`, `baggage`) straight from the request, copying none. */
const headerGetter: TextMapGetter<Headers> = {
  keys: (headers) => [...headers.keys()],
  get: (headers, key) => headers.get(key) ?? undefined,
}

/**
 * Puts each request in a server span (`POST /v1/orders`, named after the route template), continuing a trace
 * the caller sent in `traceparent`, with the request id in the context's baggage: the workflow it starts, its
 * activities and every log line on the way carry both.
 */
export function requestTracing(): MiddlewareHandler<AppEnv> {
  return async function traceRequest(c, next) {
    const parent = withRequestId(propagation.extract(context.active(), c.req.raw.headers, headerGetter), c.var.requestId)
    const span = tracer.startSpan(
      c.req.method,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': c.req.method, 'url.path': c.req.path, 'request.id': c.var.requestId },
      },
      parent,
    )
    try {
      await context.with(trace.setSpan(parent, span), next)
    } finally {
      span.updateName(`${c.req.method} ${c.req.routePath}`)
      span.setAttributes({ 'http.route': c.req.routePath, 'http.response.status_code': c.res.status })
      if (c.res.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR })
      span.end()
    }
  }
}
