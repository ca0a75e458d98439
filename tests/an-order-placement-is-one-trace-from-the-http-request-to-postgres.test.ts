import { randomUUID } from 'node:crypto'
import { Writable } from 'node:stream'
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../logger.js'
import { installTracing } from '../tracing.js'
import { orderWorkflowId, statusQuery } from '../workflows/messages.js'
import { createProducts, shippingAddressInput } from './support/fixtures.js'
import { type InProcessApp, inProcessApp } from './support/in-process-app.js'
import { settled } from './support/patience.js'
import { type TestServices, connectServices } from './support/services.js'

// Installed before anything connects, as api/main.ts and workers/main.ts do.
const exporter = new InMemorySpanExporter()
installTracing({ serviceName: 'order-engine-test', otlpEndpoint: null, exporter })

const logLines: Array<Record<string, unknown>> = []
const logger = createLogger(
  'info',
  'trace-test',
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logLines.push(JSON.parse(line) as Record<string, unknown>)
      done()
    },
  }),
)

let services: TestServices
let api: InProcessApp

beforeAll(async () => {
  services = await connectServices()
  await services.startWorker({ logger })
  api = inProcessApp({ temporal: services.client, taskQueue: services.taskQueue, logger })
})
afterAll(async () => {
  await api?.close()
  await services?.close()
})

function describeSpan(span: ReadableSpan, byId: Map<string, ReadableSpan>): string {
  const parent = span.parentSpanId ? byId.get(span.parentSpanId) : undefined
  return `${span.name} <- ${parent?.name ?? (span.parentSpanId ? '(missing parent)' : '(root)')}`
}

describe('an order placement', () => {
  it('is one trace from the HTTP request through the workflow and its activities to Postgres and the provider', async () => {
    const [sku] = await createProducts(services.db, [{ onHand: 5 }])
    const customerToken = `Bearer ${await api.token('customer')}`
    const answer = await api.app.request('/v1/orders', {
      method: 'POST',
      headers: {
        Authorization: customerToken,
        'Content-Type': 'application/json',
        'Idempotency-Key': randomUUID(),
      },
      body: JSON.stringify({
        lines: [{ sku, quantity: 1 }],
        paymentMethod: 'card',
        paymentToken: 'tok_visa',
        currency: 'USD',
        shippingAddress: shippingAddressInput,
      }),
    })
    expect(answer.status).toBe(201)
    const requestId = answer.headers.get('X-Request-Id')
    const { id: orderId } = (await answer.json()) as { id: string }
    const handle = services.client.workflow.getHandle(orderWorkflowId(orderId))
    await expect.poll(async () => (await handle.query(statusQuery)).fulfillmentStatus, settled).toBe('LABEL_CREATED')

    // The workflow's own span ends with the workflow: the customer cancels, so it does within the test.
    const cancelled = await api.app.request(`/v1/orders/${orderId}/cancellation`, {
      method: 'POST',
      headers: { Authorization: customerToken, 'Content-Type': 'application/json' },
      body: JSON.stringify({ reason: 'ordered twice' }),
    })
    expect(cancelled.status).toBe(200)
    await handle.result()

    const request = () => exporter.getFinishedSpans().find((span) => span.name === 'POST /v1/orders')
    await expect.poll(() => request()?.spanContext().traceId, settled).toBeDefined()
    const traceId = request()!.spanContext().traceId
    await expect
      .poll(
        () =>
          exporter.getFinishedSpans().some((s) => s.spanContext().traceId === traceId && s.name === 'RunWorkflow:orderWorkflow'),
        settled,
      )
      .toBe(true)
    const spans = exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId)
    const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]))
    const links = new Set(spans.map((span) => describeSpan(span, byId)))
    console.log(`${spans.length} spans in trace ${traceId}:\n  ${[...links].sort().join('\n  ')}`)

    expect(request()!.parentSpanId).toBeUndefined()
    expect(links).toContain('StartWorkflow:orderWorkflow <- POST /v1/orders')
    expect(links).toContain('RunWorkflow:orderWorkflow <- StartWorkflow:orderWorkflow')
    // The API's own statements: the catalog's read, and the key's claim (with the rate limit's count) in one WITH.
    expect(links).toContain('pg.query:SELECT <- POST /v1/orders')
    expect(links).toContain('pg.query:WITH <- POST /v1/orders')
    // An order in one parcel buys its label itself (an order in several starts a child workflow per parcel).
    for (const activity of ['reserveStock', 'authorizePayment', 'createShipment']) {
      expect(links).toContain(`StartActivity:${activity} <- RunWorkflow:orderWorkflow`)
      expect(links).toContain(`RunActivity:${activity} <- StartActivity:${activity}`)
    }
    expect([...links].some((link) => /^pg\.query:\w+ <- RunActivity:reserveStock$/.test(link))).toBe(true)
    expect(links).toContain('payment.authorize <- RunActivity:authorizePayment')
    expect(links).toContain('carrier.createLabel <- RunActivity:createShipment')
    expect([...links].filter((link) => link.includes('(missing parent)'))).toEqual([])

    const orderLines = logLines.filter((line) => line['traceId'] === traceId)
    console.log(
      `${orderLines.length} log lines carry the trace id; their requestIds: ${[...new Set(orderLines.map((l) => l['requestId']))].join(', ')}`,
    )
    expect(orderLines.some((line) => line['msg'] === 'request')).toBe(true)
    // The worker's own line, written by an activity of the workflow the request started.
    expect(orderLines.some((line) => line['msg'] === 'customer notified')).toBe(true)
    for (const line of orderLines) expect(line['requestId']).toBe(requestId)
  })
})
