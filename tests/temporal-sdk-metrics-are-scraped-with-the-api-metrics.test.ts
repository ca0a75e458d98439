import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { projectRoot } from '../config.js'
import { freePort } from '../dev/free-port.js'
import { installTemporalLogging } from '../logger.js'
import { orderWorkflowId, statusQuery } from '../workflows/messages.js'
import { createProducts, shippingAddressInput } from './support/fixtures.js'
import { type InProcessApp, inProcessApp } from './support/in-process-app.js'
import { settled } from './support/patience.js'
import { type TestServices, connectServices, logger } from './support/services.js'

let metricsAddress: string
let services: TestServices
let api: InProcessApp

beforeAll(async () => {
  // As workers/main.ts does with TEMPORAL_METRICS_ADDRESS, before the first worker (connectServices would install it without).
  metricsAddress = `127.0.0.1:${await freePort()}`
  installTemporalLogging(logger, { level: 'ERROR', metricsAddress })
  services = await connectServices()
  await services.startWorker()
  api = inProcessApp({ temporal: services.client, taskQueue: services.taskQueue })
})
afterAll(async () => {
  await api?.close()
  await services?.close()
})

/** `name{labels} value` lines of the series whose name starts with `prefix`. */
function series(text: string, prefix: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(prefix))
}

describe('the Temporal SDK metrics', () => {
  it('are served by the worker’s core and, with the HTTP and business series, by the API’s /metrics after an order runs', async () => {
    const [sku] = await createProducts(services.db, [{ onHand: 5 }])
    const placed = await api.app.request('/v1/orders', {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${await api.token('customer')}`,
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
    expect(placed.status).toBe(201)
    const { id } = (await placed.json()) as { id: string }
    const handle = services.client.workflow.getHandle(orderWorkflowId(id))
    await expect.poll(async () => (await handle.query(statusQuery)).fulfillmentStatus, settled).toBe('LABEL_CREATED')

    const core = await (await fetch(`http://${metricsAddress}/metrics`)).text()
    const scrape = await (await api.app.request('/metrics')).text()
    const names = [...new Set(series(scrape, 'temporal_').map((line) => /^[a-z_]+/.exec(line)![0]))].sort()
    console.log(`${names.length} temporal_ series names in /metrics:\n  ${names.join('\n  ')}`)

    for (const text of [core, scrape]) {
      expect(series(text, 'temporal_activity_execution_latency_seconds_count').join('\n')).toMatch(
        /activity_type="createShipment"/,
      )
      expect(series(text, 'temporal_workflow_task_schedule_to_start_latency_seconds_count').length).toBeGreaterThan(0)
      expect(series(text, 'temporal_num_pollers').length).toBeGreaterThan(0)
      expect(series(text, 'temporal_sticky_cache_size').length).toBeGreaterThan(0)
    }
    // The client side: the API's start and queries, with its HTTP and business series in the same scrape.
    expect(series(scrape, 'temporal_client_operations_total{operation="startWithDetails",outcome="ok"}')).not.toEqual([])
    expect(series(scrape, 'http_requests_total{').join('\n')).toMatch(/route="\/v1\/orders"/)
    expect(series(scrape, 'orders_placed_total').length).toBeGreaterThan(0)

    // Every series the Grafana dashboard charts is one this scrape has (a renamed metric would leave a panel empty).
    const dashboard = JSON.parse(await readFile(join(projectRoot, 'deploy/grafana/dashboards/order-engine.json'), 'utf8')) as {
      panels: Array<{ targets?: Array<{ expr: string }> }>
    }
    const charted = new Set(
      dashboard.panels
        .flatMap((panel) => panel.targets ?? [])
        // Metric names: identifiers with an underscore, once label matchers and `by (…)` groupings are taken out.
        .map((target) => target.expr.replace(/\{[^}]*\}/g, '').replace(/\bby \([^)]*\)/g, ''))
        .flatMap((expr) => expr.match(/\b[a-z][a-z0-9]*_[a-z0-9_]*\b/g) ?? [])
        .filter((name) => name !== 'histogram_quantile' && !name.startsWith('__')),
    )
    console.log(`the dashboard charts ${charted.size} series: ${[...charted].sort().join(', ')}`)
    expect(charted.size).toBeGreaterThan(15)
    const missing = [...charted].filter((name) => series(scrape, name).length === 0)
    console.log(`missing from the scrape: ${missing.join(', ') || 'none'}`)
    expect(missing).toEqual([])
  })
})
