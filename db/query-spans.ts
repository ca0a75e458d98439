/**
 * A client span for every query kysely runs (`pg.query:SELECT`, with the parameterized SQL, never its values),
 * a child of whatever span is active: the Postgres calls of an order's trace. kysely reports each query as it
 * settles, so the span is recorded then, starting when the query did.
 */
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api'
import type { LogEvent } from 'kysely'

const tracer = trace.getTracer('order-engine-db')

/** kysely's `log` option: records each query, or its failure, as a span. */
export function recordQuerySpan(event: LogEvent): void {
  const active = context.active()
  if (!trace.getSpan(active)?.isRecording()) return
  const sql = event.query.sql
  const operation = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? 'QUERY'
  const endTime = performance.timeOrigin + performance.now()
  const span = tracer.startSpan(
    `pg.query:${operation}`,
    {
      kind: SpanKind.CLIENT,
      startTime: endTime - event.queryDurationMillis,
      attributes: { 'db.system': 'postgresql', 'db.operation': operation, 'db.statement': sql },
    },
    active,
  )
  if (event.level === 'error') {
    const message = event.error instanceof Error ? event.error.message : String(event.error)
    span.setStatus({ code: SpanStatusCode.ERROR, message })
  }
  span.end(endTime)
}
