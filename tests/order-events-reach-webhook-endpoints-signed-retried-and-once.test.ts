/**
 * Order events published through the order worker reach each endpoint that
 * wants them, signed per Standard Webhooks: a receiver that answers 500 twice
 * gets every event a third time and processes each once by its id; the
 * delivery log shows every attempt; a redelivery and a secret rotation reach
 * the receiver with the same id, signed with the new secret (and the old one
 * during its grace).
 */
import { randomUUID } from 'node:crypto'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { orderEventId } from '../domain/order-events.js'
import { type FreshDatabase, createFreshDatabase } from './support/fresh-database.js'
import { type HttpStack, startHttpStack } from './support/http-stack.js'
import { type OrderEventPublisher, startOrderEventPublisher } from './support/order-event-publisher.js'
import { settled } from './support/patience.js'
import { type WebhookReceiver, startWebhookReceiver } from './support/webhook-receiver.js'

let stack: HttpStack
let publisher: OrderEventPublisher
let receiver: WebhookReceiver
let admin: string
// Endpoints in a database of their own: every order of the run's other files publishes events to the shared one's.
let fresh: FreshDatabase
const endpoints: string[] = []

beforeAll(async () => {
  const allowLocal = { httpsOnly: false, allowPrivateTargets: true }
  fresh = await createFreshDatabase()
  stack = await startHttpStack({
    databaseUrl: fresh.url,
    app: { webhookTargetRules: allowLocal },
    // Short retries, injected: production waits 30 s, then doubles up to 4 h.
    webhooks: {
      rules: allowLocal,
      retry: { initialIntervalMs: 300, backoffCoefficient: 2, maximumIntervalMs: 1_000, giveUpAfterMs: 120_000 },
    },
  })
  publisher = await startOrderEventPublisher(stack.services.client)
  // The receiver of a flaky subscriber: every event is refused twice with a 500, then taken.
  receiver = await startWebhookReceiver((_path, attempt) => (attempt <= 2 ? 500 : 200))
  admin = await stack.token('admin', 'admin_webhooks')
}, 120_000)

afterAll(async () => {
  for (const id of endpoints) await stack?.call('DELETE', `/v1/webhook-endpoints/${id}`, { token: admin })
  await publisher?.close()
  await receiver?.close()
  await stack?.close()
  await fresh?.drop()
})

async function deliveriesOf(endpointId: string) {
  const answer = await stack.call('GET', `/v1/webhook-endpoints/${endpointId}/deliveries`, { token: admin })
  expect(answer.status).toBe(200)
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the delivery log as JSON
  return answer.body.data as any[]
}

describe('outbound webhooks', () => {
  it('delivers each event once after two 500s, signed, with every attempt in the log, then redelivers and rotates', async () => {
    const registered = await stack.call('POST', '/v1/webhook-endpoints', {
      token: admin,
      body: { url: `${receiver.url}/orders`, eventTypes: ['order.placed', 'order.shipped'], description: 'flaky ERP' },
    })
    expect(registered.status).toBe(201)
    expect(registered.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/)
    expect(registered.headers.get('location')).toBe(`/v1/webhook-endpoints/${registered.body.id}`)
    const endpointId: string = registered.body.id
    endpoints.push(endpointId)
    receiver.secrets = [registered.body.secret]
    // The secret is answered once: reading the endpoint never shows it.
    const read = await stack.call('GET', `/v1/webhook-endpoints/${endpointId}`, { token: admin })
    expect(read.status).toBe(200)
    expect(read.body).not.toHaveProperty('secret')

    const orderId = randomUUID()
    const placed = { eventId: orderEventId({ orderId, kind: 'placed', occurrence: 1 }), type: 'order.placed' as const }
    const shipped = { eventId: orderEventId({ orderId, kind: 'shipped', occurrence: 1 }), type: 'order.shipped' as const }
    const delivered = { eventId: orderEventId({ orderId, kind: 'delivered', occurrence: 1 }), type: 'order.delivered' as const }
    const at = '2026-12-01T12:00:00.000Z'
    const results = await publisher.publish(stack.services.taskQueue, [
      { ...placed, orderId, occurredAt: at, data: { total: 2400, currency: 'USD' } },
      { ...shipped, orderId, occurredAt: at, data: { trackingNumber: 'SIM123' } },
      // The same event again (a dispatcher retry): recorded once, fanned out once.
      { ...placed, orderId, occurredAt: at, data: { total: 2400, currency: 'USD' } },
      // Not wanted by this endpoint.
      { ...delivered, orderId, occurredAt: at },
    ])
    console.log('publishOrderEvent answered', JSON.stringify(results))
    expect(results.slice(0, 3)).toEqual([
      { recorded: true, deliveriesStarted: 1 },
      { recorded: true, deliveriesStarted: 1 },
      { recorded: false, deliveriesStarted: 0 },
    ])
    expect(results[3]?.recorded).toBe(true)

    await expect
      .poll(() => receiver.processed.map((event) => event.id).sort(), settled)
      .toEqual([placed.eventId, shipped.eventId].sort())
    const requests = receiver.received.filter((request) => request.path === '/orders')
    console.log(
      'receiver saw',
      requests.map((r) => `${r.id.slice(-9)} -> ${r.answered} (signature ${r.verifiedBy === 0 ? 'verified' : 'BAD'})`),
    )
    expect(requests.every((request) => request.verifiedBy === 0)).toBe(true)
    expect(requests.filter((r) => r.id === placed.eventId).map((r) => r.answered)).toEqual([500, 500, 200])
    expect(requests.filter((r) => r.id === shipped.eventId).map((r) => r.answered)).toEqual([500, 500, 200])
    expect(requests.some((r) => r.id === delivered.eventId)).toBe(false)
    const placedBody = receiver.processed.find((event) => event.id === placed.eventId)?.body
    expect(placedBody).toEqual({
      id: placed.eventId,
      type: 'order.placed',
      timestamp: at,
      data: { orderId, total: 2400, currency: 'USD' },
    })

    await expect
      .poll(async () => (await deliveriesOf(endpointId)).map((d) => d.status), settled)
      .toEqual(['delivered', 'delivered'])
    const log = await deliveriesOf(endpointId)
    for (const delivery of log) {
      console.log(
        `delivery log ${delivery.eventType}:`,
        delivery.attempts.map((a: { attempt: number; statusCode: number; latencyMs: number; error: string | null }) =>
          `#${a.attempt} ${a.statusCode} ${a.latencyMs}ms ${a.error ?? ''}`.trim(),
        ),
      )
      expect(delivery.attempts.map((a: { statusCode: number }) => a.statusCode)).toEqual([500, 500, 200])
      expect(delivery.attempts.map((a: { outcome: string }) => a.outcome)).toEqual(['failed', 'failed', 'delivered'])
      expect(delivery.attempts[0].error).toMatch(/^answered 500/)
      expect(delivery.attempts[2].error).toBeNull()
      expect(delivery.attempts.every((a: { latencyMs: number }) => a.latencyMs >= 0)).toBe(true)
    }
    const placedDelivery = log.find((d) => d.eventId === placed.eventId)
    const shippedDelivery = log.find((d) => d.eventId === shipped.eventId)

    // A manual redelivery: the same id again, which the receiver dedupes.
    const redelivery = await stack.call(
      'POST',
      `/v1/webhook-endpoints/${endpointId}/deliveries/${placedDelivery.id}/redelivery`,
      {
        token: admin,
      },
    )
    expect(redelivery.status).toBe(202)
    expect(redelivery.body).toEqual({ deliveryId: placedDelivery.id, run: 2 })
    await expect.poll(() => receiver.received.filter((r) => r.id === placed.eventId).length, settled).toBe(4)
    expect(receiver.processed.filter((event) => event.id === placed.eventId)).toHaveLength(1)
    await expect
      .poll(async () => (await deliveriesOf(endpointId)).find((d) => d.id === placedDelivery.id)?.attempts.at(-1), settled)
      .toMatchObject({ attempt: 4, run: 2, statusCode: 200, outcome: 'delivered' })

    // Rotation with no grace: the next webhook verifies with the new secret only.
    const oldSecret: string = registered.body.secret
    const rotated = await stack.call('POST', `/v1/webhook-endpoints/${endpointId}/secret-rotation`, {
      token: admin,
      body: { previousSecretValidFor: 0 },
    })
    expect(rotated.status).toBe(200)
    expect(rotated.body.secret).toMatch(/^whsec_/)
    expect(rotated.body.secret).not.toBe(oldSecret)
    expect(rotated.body.previousSecretExpiresAt).toBeNull()
    const newSecret: string = rotated.body.secret
    receiver.secrets = [newSecret, oldSecret]
    expect(
      (
        await stack.call('POST', `/v1/webhook-endpoints/${endpointId}/deliveries/${shippedDelivery.id}/redelivery`, {
          token: admin,
        })
      ).status,
    ).toBe(202)
    await expect.poll(() => receiver.received.filter((r) => r.id === shipped.eventId).length, settled).toBe(4)
    const afterRotation = receiver.received.filter((r) => r.id === shipped.eventId).at(-1)
    expect(afterRotation?.verifiedBy).toBe(0)
    expect(String(afterRotation?.headers['webhook-signature']).split(' ')).toHaveLength(1)

    // Rotation with the default 24 h grace: both secrets sign, so a receiver still on the old one verifies too.
    const graceful = await stack.call('POST', `/v1/webhook-endpoints/${endpointId}/secret-rotation`, { token: admin, body: {} })
    expect(graceful.status).toBe(200)
    expect(Date.parse(graceful.body.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(23 * 3_600_000)
    receiver.secrets = [newSecret]
    await expect
      .poll(async () => (await deliveriesOf(endpointId)).find((d) => d.id === shippedDelivery.id)?.status, settled)
      .toBe('delivered')
    expect(
      (
        await stack.call('POST', `/v1/webhook-endpoints/${endpointId}/deliveries/${shippedDelivery.id}/redelivery`, {
          token: admin,
        })
      ).status,
    ).toBe(202)
    await expect.poll(() => receiver.received.filter((r) => r.id === shipped.eventId).length, settled).toBe(5)
    const duringGrace = receiver.received.filter((r) => r.id === shipped.eventId).at(-1)
    expect(duringGrace?.verifiedBy).toBe(0)
    expect(String(duringGrace?.headers['webhook-signature']).split(' ')).toHaveLength(2)
    const headersOf = (request: typeof duringGrace) =>
      Object.fromEntries(
        ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => [name, String(request?.headers[name])]),
      )
    // The receiver that switched to the new secret verifies the same webhook.
    expect(() =>
      new Webhook(graceful.body.secret as string).verify(duringGrace?.body ?? '', headersOf(duringGrace)),
    ).not.toThrow()
    expect(() => new Webhook(oldSecret).verify(duringGrace?.body ?? '', headersOf(duringGrace))).toThrow()
    console.log('after rotation: one signature, verified with the new secret; with grace: two signatures, old secret verifies')

    const metrics = await stack.call('GET', '/metrics')
    const line = (outcome: string) =>
      String(metrics.body)
        .split('\n')
        .find((l) => l.startsWith(`webhook_deliveries_total{outcome="${outcome}"}`))
    console.log('metrics:', line('delivered'), '|', line('failed'))
    expect(Number(line('failed')?.split(' ')[1])).toBeGreaterThanOrEqual(4)
    expect(Number(line('delivered')?.split(' ')[1])).toBeGreaterThanOrEqual(5)
    expect(stack.contractViolations).toEqual([])
  }, 240_000)

  it('answers unknown endpoints 404, unknown event types 400, customers 403; disables, enables and deletes', async () => {
    const unknown = await stack.call('GET', `/v1/webhook-endpoints/${randomUUID()}`, { token: admin })
    expect(unknown.status).toBe(404)
    expect(unknown.body.code).toBe('webhook_endpoint_not_found')
    const badType = await stack.call('POST', '/v1/webhook-endpoints', {
      token: admin,
      body: { url: `${receiver.url}/x`, eventTypes: ['order.teleported'] },
    })
    expect(badType.status).toBe(400)
    expect(badType.body.errors[0].field).toBe('eventTypes.0')
    const customer = await stack.token('customer', 'cust_webhooks')
    expect((await stack.call('GET', '/v1/webhook-endpoints', { token: customer })).status).toBe(403)

    const created = await stack.call('POST', '/v1/webhook-endpoints', {
      token: admin,
      body: { url: `${receiver.url}/x`, eventTypes: ['order.cancelled'] },
    })
    endpoints.push(created.body.id)
    const disabled = await stack.call('PATCH', `/v1/webhook-endpoints/${created.body.id}`, {
      token: admin,
      body: { status: 'disabled' },
    })
    expect(disabled.body).toMatchObject({ status: 'disabled', disabledReason: 'admin' })
    const listed = await stack.call('GET', '/v1/webhook-endpoints?status=disabled', { token: admin })
    expect(listed.body.data.map((e: { id: string }) => e.id)).toContain(created.body.id)
    const enabled = await stack.call('PATCH', `/v1/webhook-endpoints/${created.body.id}`, {
      token: admin,
      body: { status: 'enabled' },
    })
    expect(enabled.body).toMatchObject({ status: 'enabled', disabledReason: null })
    const removed = await stack.call('DELETE', `/v1/webhook-endpoints/${created.body.id}`, { token: admin })
    expect(removed.status).toBe(204)
    expect((await stack.call('GET', `/v1/webhook-endpoints/${created.body.id}`, { token: admin })).status).toBe(404)

    const document = (await (await fetch(`${stack.baseUrl}/openapi.json`)).json()) as { webhooks: Record<string, unknown> }
    expect(Object.keys(document.webhooks).sort()).toEqual([
      'order.cancelled',
      'order.cod_refund_owed',
      'order.cod_refund_settled',
      'order.confirmed',
      'order.delivered',
      'order.delivery_exception',
      'order.edited',
      'order.exchange_shipped',
      'order.placed',
      'order.refunded',
      'order.return_approved',
      'order.return_closed',
      'order.return_received',
      'order.return_rejected',
      'order.return_requested',
      'order.returned',
      'order.shipped',
    ])
    expect(stack.contractViolations).toEqual([])
  }, 120_000)
})
