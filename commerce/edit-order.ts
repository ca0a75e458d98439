import { isOrderId } from '../db/order-queries.js'
import type { OrderLineRequest } from '../domain/order-types.js'
import type { OrderView } from '../api/schemas/orders.js'
import { type Caller, actorOf, callerName } from './caller.js'
import { OrderNotFound } from './commerce-errors.js'
import { underIdempotencyKey } from './idempotency-key.js'
import { storedOrderView } from './order-view.js'
import { type OrderUpdateDeps, closedOrderRefusal, sendEdit, updateOrder } from './order-updates.js'
import type { AddressRequest } from './place-order.js'
import { requestFingerprint } from './request-fingerprint.js'

/** An edit as the customer or an admin asks it: the new full set of lines and, optionally, a new address. */
export interface OrderEditCommand {
  lines: OrderLineRequest[]
  shippingAddress?: AddressRequest | undefined
}

/**
 * The owner or an admin edits an order before the carrier has any parcel.
 * The order's workflow re-prices, reserves the difference, re-plans the
 * parcels and settles the money, or refuses (`orderEditRefusals`: 409 with
 * the reason) and changes nothing. The Idempotency-Key, scoped to the caller,
 * is the Temporal update id: the same edit sent twice is applied once, and a
 * retry answers the first answer; another request under the key is refused.
 *
 * @throws OrderNotFound, OrderUpdateRefused, OrderUpdateTimedOut, IdempotencyKeyReused, IdempotencyKeyInFlight
 */
export async function editOrder(
  deps: OrderUpdateDeps,
  caller: Caller,
  orderId: string,
  options: { request: OrderEditCommand; idempotencyKey: string },
): Promise<{ order: OrderView; replayed: boolean }> {
  if (!isOrderId(orderId)) throw new OrderNotFound(orderId)
  const { request, idempotencyKey } = options
  const key = { caller, key: idempotencyKey, fingerprint: requestFingerprint({ edit: orderId, ...request }), orderId }
  const address = request.shippingAddress
  const outcome = await underIdempotencyKey(deps.db, key, 200, () =>
    updateOrder(
      deps,
      caller,
      orderId,
      () =>
        sendEdit(deps.temporal, orderId, {
          editId: `${callerName(caller)}:${idempotencyKey}`,
          lines: request.lines,
          shippingAddress: address ? { ...address, line2: address.line2 ?? null, region: address.region ?? null } : undefined,
          by: actorOf(caller),
        }),
      (closed) => {
        throw closedOrderRefusal(closed)
      },
    ),
  )
  return outcome.replayed
    ? { order: storedOrderView(outcome.answer), replayed: true }
    : { order: outcome.answer, replayed: false }
}
