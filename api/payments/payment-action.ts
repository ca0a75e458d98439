import type { PayPalApi } from '../../adapters/payments/paypal-api.js'
import { orderWorkflowId, paymentProgressUpdate, type PaymentProgress } from '../../workflows/messages.js'
import type { AppDeps } from '../app-deps.js'
import type { PaymentAction } from '../schemas/payments.js'
import type { ApiPayments } from './api-payments.js'

/** Where the order's payment stands, once its first attempt has answered; null if that takes longer than `waitMs`. */
export async function paymentProgressOf(deps: AppDeps, orderId: string, waitMs: number): Promise<PaymentProgress | null> {
  const handle = deps.temporal.workflow.getHandle(orderWorkflowId(orderId))
  return deps.temporal.connection
    .withDeadline(Date.now() + waitMs, () => handle.executeUpdate(paymentProgressUpdate))
    .catch((error: unknown) => {
      deps.logger.warn({ err: error, orderId }, 'payment progress not known in time; the client can ask again')
      return null
    })
}

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
