import type { PayPalApi } from '../../adapters/payments/paypal-api.js'
import { awaitsFirstPaymentAnswer } from '../../commerce/place-order.js'
import { PAYMENT_PROGRESS_WAIT_MS, readPaymentProgress } from '../../commerce/payment-progress.js'
import type { PaymentInstruction } from '../../domain/order-types.js'
import type { PaymentProgress } from '../../workflows/messages.js'
import type { AppDeps } from '../app-deps.js'
import type { OrderView, PlacedOrderView } from '../schemas/orders.js'
import type { PaymentAction } from '../schemas/payments.js'
import { type ApiPayments, sandboxOnlyPayments } from './api-payments.js'

async function paypalApprovalUrl(paypal: PayPalApi, reference: string): Promise<string | null> {
  const { result } = await paypal.orders.getOrder({ id: reference })
  const link = result.links?.find((candidate) => candidate.rel === 'payer-action' || candidate.rel === 'approve')
  return link?.href ?? null
}

/**
 * What the customer needs to finish paying, read from the provider by
 * reference at the moment the API answers: the PaymentIntent's client secret
 * for 3-D Secure, PayPal's approval link. Never stored by us, never in
 * workflow history. Null when the payment waits for nobody.
 */
export async function paymentActionOf(payments: ApiPayments, progress: PaymentProgress | null): Promise<PaymentAction | null> {
  if (!progress || progress.paymentStatus !== 'ACTION_REQUIRED' || !progress.reference) return null
  if (progress.provider === 'stripe' && payments.stripe) {
    const intent = await payments.stripe.paymentIntents.retrieve(progress.reference)
    return { provider: 'stripe', reference: intent.id, clientSecret: intent.client_secret, approvalUrl: null }
  }
  if (progress.provider === 'paypal' && payments.paypal) {
    const approvalUrl = await paypalApprovalUrl(payments.paypal, progress.reference)
    return { provider: 'paypal', reference: progress.reference, clientSecret: null, approvalUrl }
  }
  return null
}

/**
 * A just-placed order with what the customer needs to finish paying: a Stripe
 * or PayPal payment may wait for the customer, so its first attempt is
 * awaited (10 s at most; the placement itself awaited it when it started the
 * order, `known`) and the action read fresh from the provider.
 */
export async function withPaymentAction(
  deps: AppDeps,
  order: OrderView,
  payment: PaymentInstruction,
  known?: PaymentProgress | null,
): Promise<PlacedOrderView> {
  const waits = awaitsFirstPaymentAnswer(payment)
  const progress = waits
    ? known !== undefined
      ? known
      : await readPaymentProgress(deps, order.id, PAYMENT_PROGRESS_WAIT_MS)
    : null
  return { ...order, paymentAction: await paymentActionOf(deps.payments ?? sandboxOnlyPayments, progress) }
}
