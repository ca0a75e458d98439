/**
 * Every milestone of a card order and of a cash-on-delivery order reaches the
 * customer as a mail over SMTP (a real SMTP server in the test), with the
 * right subject, amount and tracking number, in the customer's language; a
 * mailbox refused for good is counted and told to staff on the order's
 * timeline, never to the customer.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSmtpMailer } from '../adapters/email/mailer.js'
import { signAccessToken } from '../api/auth.js'
import { listNotificationAttempts } from '../db/notification-deliveries.js'
import { formatMoney } from '../domain/notification-messages.js'
import { createProducts } from './support/fixtures.js'
import { type FreshDatabase, createFreshDatabase } from './support/fresh-database.js'
import { type HttpStack, jwtSecret, startHttpStack, waitForHttpOrder } from './support/http-stack.js'
import { settled } from './support/patience.js'
import { type SmtpCatcher, startSmtpCatcher } from './support/smtp-catcher.js'

let database: FreshDatabase
let smtp: SmtpCatcher
let stack: HttpStack
let admin: string
const refusedAddress = 'nobody@refused.example'

beforeAll(async () => {
  database = await createFreshDatabase()
  smtp = await startSmtpCatcher({ answer: (mail) => (mail.to === refusedAddress ? 'refuse' : 'accept') })
  stack = await startHttpStack({
    notificationDispatcher: true,
    databaseUrl: database.url,
    mailer: createSmtpMailer({ url: smtp.url, from: 'Test shop <orders@shop.example>' }),
    app: { refundWindowMs: 600_000 },
  })
  admin = await stack.token('admin', 'admin_mail')
})
afterAll(async () => {
  await stack?.close()
  await smtp?.close()
  await database?.drop()
})

const shippingAddress = { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' }

async function customerToken(options: { email?: string; locale?: string } = {}) {
  return signAccessToken(jwtSecret, { role: 'customer', subject: `cust_${randomUUID().slice(0, 8)}`, ...options })
}

async function place(token: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const [sku] = await createProducts(stack.services.db, [{ onHand: 5, unitPrice: 3_000 }])
  const placed = await stack.call('POST', '/v1/orders', {
    token,
    body: { lines: [{ sku, quantity: 1 }], shippingAddress, ...body },
    headers: { 'Idempotency-Key': randomUUID(), ...headers },
  })
  expect(placed.status).toBe(201)
  return placed.body.id as string
}

async function carrierEvents(trackingNumber: string, statuses: string[]) {
  for (const status of statuses) {
    const answer = await stack.carrier({ eventId: randomUUID(), trackingNumber, status, occurredAt: new Date().toISOString() })
    expect(answer.status).toBe(202)
  }
}

const mailsOf = (orderId: string) => smtp.mails.filter((mail) => mail.orderId === orderId)

describe('milestone mails over SMTP', () => {
  it('a card order: placed, confirmed, shipped with tracking, delivered, refunded with the amount, to the token’s address', async () => {
    const address = `ada+${randomUUID().slice(0, 6)}@example.com`
    const token = await customerToken({ email: address })
    const orderId = await place(token, { paymentMethod: 'card', paymentToken: 'tok_visa' })
    const ref = orderId.slice(0, 8).toUpperCase()
    const labelled = await waitForHttpOrder(stack, token, orderId, (order) => order.shipment !== null)
    const tracking = labelled.shipment.trackingNumber as string
    await carrierEvents(tracking, ['PICKED_UP', 'DELIVERED'])
    await waitForHttpOrder(stack, token, orderId, (order) => order.status === 'DELIVERED')
    const refund = await stack.call('POST', `/v1/orders/${orderId}/refunds`, {
      token: admin,
      body: { amount: 550, reason: 'damaged' },
      headers: { 'Idempotency-Key': randomUUID() },
    })
    expect(refund.status).toBe(200)

    await smtp.waitFor((mail) => mail.orderId === orderId, 5)
    // Each notification is delivered on its own (at least once, retried apart): mails need not arrive in order.
    const bySubject = mailsOf(orderId).map((mail) => mail.subject)
    console.log(`card order ${ref}: ${bySubject.length} mails: ${bySubject.join(' | ')}`)
    expect(bySubject.sort()).toEqual(
      [
        `We received your order ${ref}`,
        `Your order ${ref} is confirmed`,
        `Your order ${ref} has shipped`,
        `Your order ${ref} was delivered`,
        `A refund of $5.50 for your order ${ref}`,
      ].sort(),
    )
    const [placed, confirmed, shipped] = ['received', 'confirmed', 'shipped'].map((word) =>
      mailsOf(orderId).find((mail) => mail.subject.includes(word)),
    )
    expect(mailsOf(orderId).every((mail) => mail.to === address && mail.language === 'en')).toBe(true)
    expect(placed!.text).toContain('$35.99') // 30.00 + 5.99 shipping
    expect(placed!.html).toContain('$35.99')
    expect(confirmed!.text).toContain('your payment of $35.99 is authorized')
    expect(shipped!.text).toContain(`Tracking number: ${tracking}`)
    expect(shipped!.html).toContain(tracking)
    expect(placed!.messageId).toBe(`<evt_${orderId}_placed_1@order-engine>`)
  })

  it('a cash-on-delivery order: mails to its contactEmail, in the language the customer asked for', async () => {
    const address = `grace+${randomUUID().slice(0, 6)}@example.com`
    const token = await customerToken({ email: 'not-this-one@example.com' })
    const orderId = await place(
      token,
      { paymentMethod: 'cod', contactEmail: ` ${address} ` },
      { 'Accept-Language': 'fr-CH, fr;q=0.9, en;q=0.5' },
    )
    const ref = orderId.slice(0, 8).toUpperCase()
    await waitForHttpOrder(stack, token, orderId, (order) => order.status === 'AWAITING_CONFIRMATION')
    expect((await stack.call('POST', `/v1/orders/${orderId}/cod-confirmation`, { token: admin })).status).toBe(200)
    const labelled = await waitForHttpOrder(stack, token, orderId, (order) => order.shipment !== null)
    const tracking = labelled.shipment.trackingNumber as string
    await carrierEvents(tracking, ['PICKED_UP', 'DELIVERED'])

    await smtp.waitFor((mail) => mail.orderId === orderId, 4)
    const mails = mailsOf(orderId)
    console.log(`COD order ${ref}: ${mails.length} mails: ${mails.map((mail) => mail.subject).join(' | ')}`)
    expect(mails.map((mail) => mail.subject).sort()).toEqual(
      [
        `Nous avons reçu votre commande ${ref}`,
        `Votre commande ${ref} est confirmée`,
        `Votre commande ${ref} est expédiée`,
        `Votre commande ${ref} a été livrée`,
      ].sort(),
    )
    const mailAbout = (word: string) => mails.find((mail) => mail.subject.includes(word))
    expect(mails.every((mail) => mail.to === address && mail.language === 'fr')).toBe(true)
    const total = formatMoney(3_599, 'USD', 'fr')
    expect(total).toMatch(/^35,99/)
    expect(mailAbout('confirmée')!.text).toContain(`Préparez ${total} : vous payez à la livraison`)
    expect(mailAbout('expédiée')!.text).toContain(`Numéro de suivi : ${tracking}`)
  })

  it('a cancellation says why; a mailbox refused for good is counted and told to staff only', async () => {
    const token = await customerToken({ email: refusedAddress })
    const orderId = await place(token, { paymentMethod: 'cod' })
    await waitForHttpOrder(stack, token, orderId, (order) => order.status === 'AWAITING_CONFIRMATION')
    const cancelled = await stack.call('POST', `/v1/orders/${orderId}/cancellation`, {
      token,
      body: { reason: 'changed my mind' },
    })
    expect(cancelled.status).toBe(200)

    const staffEntries = async () =>
      (await stack.call('GET', `/v1/orders/${orderId}/timeline`, { token: admin })).body.data.filter(
        (entry: { type: string }) => entry.type === 'notification_failing',
      )
    await expect.poll(async () => (await staffEntries()).length, settled).toBe(2) // placed and cancelled
    // Each notification is delivered on its own, so the two refusals are flagged in either order.
    const entries = await staffEntries()
    const entry = entries.find((e: { details: { notificationKind: string } }) => e.details.notificationKind === 'placed')
    console.log(`staff timeline: ${entry.message}`)
    expect(entries.map((e: { details: { notificationKind: string } }) => e.details.notificationKind).sort()).toEqual([
      'cancelled',
      'placed',
    ])
    expect(entry.details).toMatchObject({ channel: 'email', notificationKind: 'placed' })
    expect(entries.every((e: { seq: number }) => e.seq < 0)).toBe(true)
    const customerView = await stack.call('GET', `/v1/orders/${orderId}/timeline`, { token })
    expect(customerView.body.data.some((e: { type: string }) => e.type === 'notification_failing')).toBe(false)

    const outbox = await stack.services.db
      .selectFrom('notification_outbox')
      .select(['id', 'kind', 'payload'])
      .where('order_id', '=', orderId)
      .orderBy('id')
      .execute()
    expect(outbox.map((row) => row.kind)).toEqual(['placed', 'cancelled'])
    expect(outbox[1]!.payload).toEqual({ reason: 'customer_request' })
    const attempts = await listNotificationAttempts(stack.services.db, outbox[0]!.id)
    expect(attempts.map((a) => [a.channel, a.outcome]).sort()).toEqual([
      ['email', 'failed'],
      ['order_stream', 'sent'],
      ['webhooks', 'sent'],
    ])
    expect(mailsOf(orderId)).toEqual([])

    const metrics = await stack.call('GET', '/metrics')
    const line = (metrics.body as string).split('\n').find((l) => l.startsWith('notifications_failed_total{channel="email"}'))
    console.log(line)
    expect(line).toBe('notifications_failed_total{channel="email"} 2')
  })

  it('a cancelled order’s mail gives the reason in words', async () => {
    const address = `lin+${randomUUID().slice(0, 6)}@example.com`
    const token = await customerToken({ email: address })
    const orderId = await place(token, { paymentMethod: 'cod' })
    await waitForHttpOrder(stack, token, orderId, (order) => order.status === 'AWAITING_CONFIRMATION')
    expect((await stack.call('POST', `/v1/orders/${orderId}/cancellation`, { token, body: {} })).status).toBe(200)
    const [mail] = await smtp.waitFor((m) => m.orderId === orderId && /cancelled/.test(m.subject))
    expect(mail!.text).toContain('was cancelled (at your request)')
  })
})
