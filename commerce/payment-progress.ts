import type { Client } from '@temporalio/client'
import type { Logger } from 'pino'
import { type PaymentProgress, orderWorkflowId, paymentProgressUpdate } from '../workflows/messages.js'

/** How long a placement waits for its payment's first answer before answering without it. */
export const PAYMENT_PROGRESS_WAIT_MS = 10_000

/**
 * Where the order's payment stands, once its first attempt has answered
 * (authorized, waiting for the customer, declined); null if that takes longer
 * than `waitMs`: the client can ask again.
 */
export async function readPaymentProgress(
  deps: { temporal: Client; logger: Logger },
  orderId: string,
  waitMs: number,
): Promise<PaymentProgress | null> {
  const handle = deps.temporal.workflow.getHandle(orderWorkflowId(orderId))
  return deps.temporal.connection
    .withDeadline(Date.now() + waitMs, () => handle.executeUpdate(paymentProgressUpdate))
    .catch((error: unknown) => {
      deps.logger.warn({ err: error, orderId }, 'payment progress not known in time; the client can ask again')
      return null
    })
}
