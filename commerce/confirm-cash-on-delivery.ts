import type { OrderView } from '../api/schemas/orders.js'
import { type Caller, actorOf } from './caller.js'
import { type OrderUpdateDeps, closedOrderRefusal, sendCodConfirmation, updateOrder } from './order-updates.js'

/**
 * An admin confirms a cash-on-delivery order waiting for confirmation.
 *
 * @throws OrderNotFound, OrderUpdateRefused, OrderUpdateTimedOut
 */
export function confirmCashOnDelivery(
  deps: OrderUpdateDeps,
  caller: Caller,
  orderId: string,
  options: { requestKey: string | null },
): Promise<OrderView> {
  return updateOrder(
    deps,
    caller,
    orderId,
    () => sendCodConfirmation(deps.temporal, orderId, { actor: actorOf(caller), requestKey: options.requestKey }),
    (order) => {
      throw closedOrderRefusal(order)
    },
  )
}
