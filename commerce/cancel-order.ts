import type { OrderView } from '../api/schemas/orders.js'
import { type Caller, actorOf } from './caller.js'
import { type OrderUpdateDeps, closedOrderRefusal, sendCancellation, updateOrder } from './order-updates.js'

/**
 * Cancels an order before pickup (its owner or an admin); refused with a
 * reason afterwards. With `shipmentIds`, only those parcels (not yet handed
 * over), for an order some of whose parcels the carrier already has.
 * Cancelling an order already cancelled answers it.
 *
 * @throws OrderNotFound, OrderUpdateRefused, OrderUpdateTimedOut
 */
export function cancelOrder(
  deps: OrderUpdateDeps,
  caller: Caller,
  orderId: string,
  options: { note: string | null; requestKey: string | null; shipmentIds?: string[] | undefined },
): Promise<OrderView> {
  return updateOrder(
    deps,
    caller,
    orderId,
    () => sendCancellation(deps.temporal, orderId, { actor: actorOf(caller), ...options }),
    (order) => {
      if (order.status === 'CANCELLED') return order
      throw closedOrderRefusal(order)
    },
  )
}
