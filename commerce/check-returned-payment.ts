import type { Kysely } from '../db/connection.js'
import type { Database } from '../db/schema.js'
import type { PaymentProviderName } from '../domain/vocabulary.js'
import { orderWorkflowId, paymentEventSignal, statusQuery } from '../workflows/messages.js'
import type { Caller } from './caller.js'
import { PaymentNotAwaitingCustomer } from './commerce-errors.js'
import { findVisibleOrder } from './read-order.js'
import { type TemporalDeps, withinTemporalDeadline } from './temporal-deadline.js'

/**
 * The customer is back from the provider (PayPal's approval page): the order
 * is told to ask the provider where the payment stands. Nothing is taken on
 * the client's word. `returnId` names this return (the request id), so the
 * workflow hears each return once.
 *
 * @throws OrderNotFound, PaymentNotAwaitingCustomer
 */
export async function checkReturnedPayment(
  deps: TemporalDeps & { db: Kysely<Database> },
  caller: Caller,
  orderId: string,
  options: { returnId: string },
): Promise<void> {
  const row = await findVisibleOrder(deps.db, caller, orderId)
  const handle = deps.temporal.workflow.getHandle(orderWorkflowId(row.id))
  // The workflow knows first: the customer may be back before the read model has caught up.
  const live = await deps.temporal.connection.withDeadline(Date.now() + 2_000, () => handle.query(statusQuery)).catch(() => null)
  const status = live?.paymentStatus ?? row.payment_status
  const { provider, reference } = live?.payment ?? row.payment
  if (status !== 'ACTION_REQUIRED' || !provider || !reference) throw new PaymentNotAwaitingCustomer(status)
  await withinTemporalDeadline(deps, () =>
    handle.signal(paymentEventSignal, {
      eventId: `customer-return-${options.returnId}`,
      provider: provider as PaymentProviderName,
      type: 'customer_returned',
      reference,
    }),
  )
}
