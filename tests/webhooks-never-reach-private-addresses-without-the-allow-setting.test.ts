/**
 * Without WEBHOOK_ALLOW_PRIVATE_TARGETS a webhook never reaches loopback,
 * link-local or private addresses: a literal one is refused at registration
 * (422), and a name is resolved at each delivery and refused when it
 * resolves to one (`localhost` here, through the system resolver), so the
 * receiver behind it never gets a request. An endpoint that keeps failing
 * is disabled and listed for admins.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { orderEventId } from '../domain/order-events.js'
import { type FreshDatabase, createFreshDatabase } from './support/fresh-database.js'
import { type HttpStack, startHttpStack } from './support/http-stack.js'
import { type InProcessApp, inProcessApp } from './support/in-process-app.js'
import { type OrderEventPublisher, startOrderEventPublisher } from './support/order-event-publisher.js'
import { settled } from './support/patience.js'
import { type WebhookReceiver, startWebhookReceiver } from './support/webhook-receiver.js'

let strictApp: InProcessApp
let stack: HttpStack
let publisher: OrderEventPublisher
let receiver: WebhookReceiver
let admin: string
// Endpoints in a database of their own: every order of the run's other files publishes events to the shared one's.
let fresh: FreshDatabase
const endpoints: string[] = []

beforeAll(async () => {
  strictApp = inProcessApp()
  // This API lets an admin register a name (it is checked at delivery); its worker refuses private targets.
  fresh = await createFreshDatabase()
  stack = await startHttpStack({
    databaseUrl: fresh.url,
    app: { webhookTargetRules: { httpsOnly: false, allowPrivateTargets: true } },
    webhooks: {
      rules: { httpsOnly: false, allowPrivateTargets: false },
      retry: { initialIntervalMs: 300, backoffCoefficient: 2, maximumIntervalMs: 600, giveUpAfterMs: 120_000 },
      disableAfterMs: 2_000,
    },
  })
  publisher = await startOrderEventPublisher(stack.services.client)
  receiver = await startWebhookReceiver(() => 200)
  admin = await stack.token('admin', 'admin_private_targets')
}, 120_000)

afterAll(async () => {
  for (const id of endpoints) await stack?.call('DELETE', `/v1/webhook-endpoints/${id}`, { token: admin })
  await publisher?.close()
  await receiver?.close()
  await stack?.close()
  await fresh?.drop()
  await strictApp?.close()
})

describe('private webhook targets', () => {
  it('refuses loopback, link-local and private addresses at registration', async () => {
    const token = await strictApp.token('admin')
    const answers: string[] = []
    for (const url of [
      'http://127.0.0.1:8080/hook',
      'http://localhost:8080/hook',
      'http://[::1]/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://10.1.2.3/hook',
      'http://192.168.0.10/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'ftp://example.com/hook',
    ]) {
      const response = await strictApp.app.request('/v1/webhook-endpoints', {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ url, eventTypes: ['order.placed'] }),
      })
      const body = (await response.json()) as { code: string; errors: Array<{ field: string; reason: string }> }
      answers.push(`${url} -> ${response.status} ${body.errors[0]?.reason ?? ''}`)
      expect(response.status).toBe(422)
      expect(body.code).toBe('webhook_url_refused')
      expect(body.errors[0]?.field).toBe('url')
    }
    console.log('registration refused:\n' + answers.join('\n'))
    // A public name is accepted (nothing is sent until an event comes).
    const publicName = await strictApp.app.request('/v1/webhook-endpoints', {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ url: 'https://erp.example.com/hooks', eventTypes: ['order.returned'] }),
    })
    expect(publicName.status).toBe(201)
    const { id } = (await publicName.json()) as { id: string }
    await strictApp.app.request(`/v1/webhook-endpoints/${id}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${token}` },
    })
  })

  it('refuses a name that resolves to loopback at delivery, never calls it, and disables the endpoint after it keeps failing', async () => {
    const registered = await stack.call('POST', '/v1/webhook-endpoints', {
      token: admin,
      body: { url: `http://localhost:${receiver.port}/hook`, eventTypes: ['order.delivery_exception'] },
    })
    expect(registered.status).toBe(201)
    endpoints.push(registered.body.id)
    receiver.secrets = [registered.body.secret]

    const orderId = randomUUID()
    const [published] = await publisher.publish(stack.services.taskQueue, [
      {
        eventId: orderEventId({ orderId, kind: 'delivery_exception', occurrence: 1 }),
        type: 'order.delivery_exception',
        orderId,
        occurredAt: new Date().toISOString(),
      },
    ])
    expect(published).toEqual({ recorded: true, deliveriesStarted: 1 })

    await expect
      .poll(
        async () => (await stack.call('GET', `/v1/webhook-endpoints/${registered.body.id}`, { token: admin })).body.status,
        settled,
      )
      .toBe('disabled')
    const endpoint = (await stack.call('GET', `/v1/webhook-endpoints/${registered.body.id}`, { token: admin })).body
    expect(endpoint).toMatchObject({ disabledReason: 'failing' })
    expect(endpoint.failingSince).not.toBeNull()
    const disabledList = await stack.call('GET', '/v1/webhook-endpoints?status=disabled', { token: admin })
    expect(disabledList.body.data.map((e: { id: string }) => e.id)).toContain(registered.body.id)

    const log = (await stack.call('GET', `/v1/webhook-endpoints/${registered.body.id}/deliveries`, { token: admin })).body.data
    expect(log).toHaveLength(1)
    expect(log[0].status).toBe('failed')
    console.log(
      'delivery log:',
      log[0].attempts.map((a: { attempt: number; outcome: string; error: string }) => `#${a.attempt} ${a.outcome}: ${a.error}`),
    )
    expect(log[0].attempts.length).toBeGreaterThanOrEqual(2)
    for (const attempt of log[0].attempts) {
      expect(attempt).toMatchObject({ outcome: 'refused', statusCode: null })
      expect(attempt.error).toMatch(/^localhost resolves to (127\.0\.0\.1|::1), a loopback, link-local or private address/)
    }
    expect(receiver.received).toHaveLength(0)

    const metrics = String((await stack.call('GET', '/metrics')).body)
    const refused = metrics.split('\n').find((l) => l.startsWith('webhook_deliveries_total{outcome="refused"}'))
    const disabled = metrics.split('\n').find((l) => l.startsWith('webhook_endpoints_disabled_total'))
    console.log('metrics:', refused, '|', disabled)
    expect(Number(refused?.split(' ')[1])).toBeGreaterThanOrEqual(2)
    expect(Number(disabled?.split(' ')[1])).toBeGreaterThanOrEqual(1)
    expect(stack.contractViolations).toEqual([])
  }, 180_000)
})
