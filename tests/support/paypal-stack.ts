/**
 * The whole engine over HTTP with PayPal configured, PayPal being the in-repo
 * fake driven through the real SDK, and the two things every PayPal test
 * does: place a PayPal order as a customer, deliver a webhook PayPal signed.
 */
import { randomUUID } from 'node:crypto'
import type { WorkflowHandle } from '@temporalio/client'
import { expect } from 'vitest'
import { type PayPalApi, createPayPalApi } from '../../adapters/payments/paypal-api.js'
import { createPayPalPaymentProvider } from '../../adapters/payments/paypal-payment-provider.js'
import { sandboxOnlyPayments } from '../../api/payments/api-payments.js'
import { orderWorkflowId } from '../../workflows/messages.js'
import type { orderWorkflow } from '../../workflows/index.js'
import { type FakePayPal, startFakePayPal } from './fake-paypal.js'
import { createProducts, shippingAddressInput } from './fixtures.js'
import { type HttpResult, type HttpStack, startHttpStack } from './http-stack.js'

export interface PayPalStackOptions {
  /** Which responses the fake loses. */
  seed: number
  webhookId: string
  intent?: 'AUTHORIZE' | 'CAPTURE'
}

export interface PlacedPayPalOrder {
  sku: string
  orderId: string
  handle: WorkflowHandle<typeof orderWorkflow>
  /** The 201 body. */
  placed: Record<string, unknown>
  paypalOrderId: string
}

export interface PayPalStack {
  fake: FakePayPal
  /** A client of the fake, as the API and the worker use it (or as a dashboard would, with its own request ids). */
  paypal: PayPalApi
  stack: HttpStack
  /** Places a one-line PayPal order (12.50 + shipping) as `token`'s customer; expects 201. */
  placeOrder(token: string): Promise<PlacedPayPalOrder>
  /** Posts `event` to the PayPal webhook, signed for this stack's webhook id unless `headers` says otherwise. */
  deliver(event: unknown, headers?: Record<string, string>): Promise<HttpResult>
  close(): Promise<void>
}

export async function startPayPalStack(options: PayPalStackOptions): Promise<PayPalStack> {
  const { webhookId } = options
  const fake = await startFakePayPal(options.seed)
  const paypal = createPayPalApi({ clientId: 'client', clientSecret: 'secret', environment: 'sandbox', apiBase: fake.url })
  const stack = await startHttpStack({
    payments: { ...sandboxOnlyPayments, paypal, paypalWebhookId: webhookId },
    paymentProviders: [createPayPalPaymentProvider({ paypal, ...(options.intent ? { intent: options.intent } : {}) })],
  })
  return {
    fake,
    paypal,
    stack,
    async placeOrder(token) {
      const [sku] = await createProducts(stack.services.db, [{ onHand: 3, unitPrice: 1_250 }])
      const placed = await stack.call('POST', '/v1/orders', {
        token,
        headers: { 'Idempotency-Key': randomUUID() },
        body: { lines: [{ sku, quantity: 1 }], paymentMethod: 'paypal', shippingAddress: shippingAddressInput },
      })
      expect(placed.status, JSON.stringify(placed.body)).toBe(201)
      const orderId = placed.body.id as string
      const handle = stack.services.client.workflow.getHandle<typeof orderWorkflow>(orderWorkflowId(orderId))
      const [paypalOrder] = fake.ordersOf(orderId)
      return { sku: sku!, orderId, handle, placed: placed.body, paypalOrderId: paypalOrder!.id }
    },
    deliver(event, headers) {
      const body = JSON.stringify(event)
      return stack.call('POST', '/v1/webhooks/paypal', { body, headers: headers ?? { ...fake.sign(body, webhookId) } })
    },
    async close() {
      await stack.close()
      await fake.close()
    },
  }
}
