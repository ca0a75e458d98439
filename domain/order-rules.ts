import { HANDED_OVER_RANK } from './carrier-progress.js'
import type { Actor, OrderLineRequest, OrderState, ParcelStatus, ParcelView, PricedLine } from './order-types.js'
import type { OrderEditRefusal } from './fulfilment.js'
import type { CancellationReason, FulfillmentStatus, OrderStatus } from './vocabulary.js'

/** Statuses an order never leaves. */
export const finalStatuses: ReadonlySet<OrderStatus> = new Set(['DELIVERED', 'CANCELLED', 'RETURNED'])

/** Why a cancellation is refused; the API answers these with 409 (or 404 for `not_owner`). */
export type CancellationRefusal = 'not_owner' | 'already_shipped' | 'already_delivered' | 'already_returned'

/**
 * Whether the carrier has had the parcel in hand (an order in several parcels: any of them): from then on the order
 * keeps its money and what the carrier has.
 */
export function handedOver(order: OrderState): boolean {
  if (order.shipments) return order.shipments.some(parcelHandedOver)
  return (order.shipment?.progress ?? 0) >= HANDED_OVER_RANK
}

/** How far along its journey each parcel status is (as `carrier-progress.ts` ranks carrier statuses). */
const parcelStatusRank: Record<ParcelStatus, number> = {
  PLANNED: 0,
  LABEL_CREATED: 1,
  EXCEPTION: 1,
  PICKED_UP: 2,
  IN_TRANSIT: 3,
  OUT_FOR_DELIVERY: 4,
  DELIVERED: 5,
  RETURNED_TO_SENDER: 5,
  LABEL_CANCELLED: -1,
  CANCELLED: -1,
}

/** How far along its journey a parcel status is: 2 and more, the carrier has it; below 0, given up. */
export function parcelRank(status: ParcelStatus): number {
  return parcelStatusRank[status]
}

/** The carrier has (or had) this parcel. A parcel in exception after pickup counts by its events. */
export function parcelHandedOver(parcel: ParcelView): boolean {
  if (parcelStatusRank[parcel.status] >= HANDED_OVER_RANK) return true
  return parcel.events.some((event) => parcelStatusRank[event.status] >= HANDED_OVER_RANK)
}

/** The parcel will not ship: given up before hand-over. */
export function parcelGivenUp(parcel: ParcelView): boolean {
  return parcel.status === 'CANCELLED' || parcel.status === 'LABEL_CANCELLED'
}

/** The parcel's journey is over: delivered, returned, or given up. */
export function parcelEnded(parcel: ParcelView): boolean {
  return parcelGivenUp(parcel) || parcel.status === 'DELIVERED' || parcel.status === 'RETURNED_TO_SENDER'
}

/**
 * Where an order in several parcels stands as one fulfillment status: the parcels' common status when they agree,
 * `PARTIALLY_DELIVERED` once some (not all) are delivered, `PARTIALLY_SHIPPED` once some (not all) are handed over,
 * the least advanced status when the carrier has them all. Parcels given up do not count.
 *
 * @example
 * ```ts
 * fulfillmentOfParcels([pickedUp, labelled]) // 'PARTIALLY_SHIPPED'
 * ```
 */
export function fulfillmentOfParcels(parcels: readonly ParcelView[]): FulfillmentStatus {
  const live = parcels.filter((parcel) => !parcelGivenUp(parcel))
  if (live.length === 0) return parcels.length > 0 ? 'LABEL_CANCELLED' : 'UNFULFILLED'
  const statuses = new Set(live.map((parcel) => parcel.status))
  const [only] = statuses
  if (statuses.size === 1 && only !== undefined && only !== 'PLANNED') return only as FulfillmentStatus
  if (live.some((parcel) => parcel.status === 'DELIVERED')) return 'PARTIALLY_DELIVERED'
  if (!live.every(parcelHandedOver)) return live.some(parcelHandedOver) ? 'PARTIALLY_SHIPPED' : 'LABEL_CREATED'
  const least = live.reduce((a, b) => (parcelStatusRank[b.status] < parcelStatusRank[a.status] ? b : a))
  return least.status as FulfillmentStatus
}

/**
 * What one parcel's lines cost, in minor units, at the prices the order was placed (or last edited) with: the share
 * of the total a parcel's hand-over captures, a returned parcel refunds, a parcel given up never charges. Shipping is
 * charged once, with the first parcel captured (see {@link shippingGoesWith}).
 */
export function parcelLinesTotal(lines: readonly PricedLine[], parcelLines: readonly OrderLineRequest[]): number {
  return parcelLines.reduce((sum, { sku, quantity }) => {
    const priced = lines.find((line) => line.sku === sku)
    return sum + (priced ? priced.unitPrice * quantity : 0)
  }, 0)
}

/** Whether shipping is charged with this capture: with the first one only. */
export function shippingGoesWith(order: OrderState): boolean {
  return order.payment.captured === 0
}

/**
 * Decides whether `actor` may cancel the order now. Cancelling is allowed
 * until the carrier has the parcel in hand, by the owning customer, an admin,
 * or an operator (a cancellation requested in Temporal itself).
 * An order that is already cancelled is not refused: cancelling is idempotent.
 */
export function cancellationRefusal(order: OrderState, actor: Actor): CancellationRefusal | null {
  if (actor.type === 'customer' && actor.id !== order.customerId) return 'not_owner'
  if (actor.type !== 'customer' && actor.type !== 'admin' && actor.type !== 'operator') return 'not_owner'
  switch (order.status) {
    case 'CANCELLED':
    case 'PENDING':
    case 'AWAITING_CONFIRMATION':
      return null
    case 'CONFIRMED':
      return handedOver(order) ? 'already_shipped' : null
    case 'SHIPPED':
      return 'already_shipped'
    case 'DELIVERED':
      return 'already_delivered'
    case 'RETURNED':
      return 'already_returned'
  }
}

/**
 * Decides whether `actor` may cancel the parcels `shipmentIds` of an order in several parcels: before any hand-over
 * the whole order is cancelled (as {@link cancellationRefusal} says); after it, only parcels the carrier does not
 * have, of an order still shipping, each named by its id (`shipment-<orderId>-<n>`).
 */
export function parcelCancellationRefusal(
  order: OrderState,
  request: { actor: Actor; shipmentIds?: readonly string[] | undefined },
): CancellationRefusal | null {
  const refusal = cancellationRefusal(order, request.actor)
  const ids = request.shipmentIds ?? []
  if (refusal !== 'already_shipped' || !order.shipments || ids.length === 0 || order.status !== 'CONFIRMED') return refusal
  const cancellable = (id: string) =>
    order.shipments?.some((parcel) => parcel.id === id && !parcelHandedOver(parcel) && !parcelEnded(parcel)) ?? false
  return ids.every(cancellable) ? null : 'already_shipped'
}

/** The reason an order is cancelled for when `actor` asked. */
export function requestedCancellationReason(actor: Actor): CancellationReason {
  return actor.type === 'admin' ? 'admin_request' : actor.type === 'operator' ? 'operator_request' : 'customer_request'
}

/** Why a cash-on-delivery confirmation is refused. */
export type CodConfirmationRefusal = 'not_admin' | 'not_cash_on_delivery' | 'not_awaiting_confirmation'

/**
 * Decides whether `actor` may confirm a cash-on-delivery order now. Confirming
 * an order that is already confirmed is not refused: it is idempotent.
 */
export function codConfirmationRefusal(order: OrderState, actor: Actor): CodConfirmationRefusal | null {
  if (actor.type !== 'admin') return 'not_admin'
  if (order.paymentMethod !== 'cod') return 'not_cash_on_delivery'
  if (order.status === 'AWAITING_CONFIRMATION' || order.status === 'PENDING') return null
  const alreadyConfirmed = order.timeline.some((entry) => entry.type === 'cod_confirmed')
  return alreadyConfirmed && !finalStatuses.has(order.status) ? null : 'not_awaiting_confirmation'
}

/** Why a refund is refused. */
export type RefundRefusal = 'not_admin' | 'not_refundable' | 'order_closed' | 'exceeds_refundable' | 'invalid_amount'

/**
 * Decides whether an admin may refund `amount` now. Money can be given back
 * once it is captured (card and PayPal; cash on delivery is refunded by hand),
 * up to what was captured less what is refunded or already being refunded.
 */
export function refundRefusal(
  order: OrderState,
  request: { actor: Actor; amount: number },
  alreadyRequested: number,
): RefundRefusal | null {
  if (request.actor.type !== 'admin') return 'not_admin'
  if (order.paymentMethod === 'cod') return 'not_refundable'
  if (order.status === 'CANCELLED' || order.status === 'RETURNED') return 'order_closed'
  if (order.payment.captured === 0) return 'not_refundable'
  if (!Number.isSafeInteger(request.amount) || request.amount <= 0) return 'invalid_amount'
  return request.amount > refundableAmount(order) - alreadyRequested ? 'exceeds_refundable' : null
}

/**
 * Words for the admin whose refund was refused, where there is more to say:
 * how much is still refundable when the amount exceeds it.
 *
 * @example
 * ```ts
 * refundRefusalDetail(order, 'exceeds_refundable', 0) // '3599 (USD minor units) is still refundable'
 * ```
 */
export function refundRefusalDetail(
  order: OrderState,
  refusal: RefundRefusal | null,
  alreadyRequested: number,
): string | undefined {
  if (refusal !== 'exceeds_refundable') return undefined
  const left = Math.max(refundableAmount(order) - alreadyRequested, 0)
  return `${left} (${order.totals.currency} minor units) is still refundable`
}

/** What was captured and not yet given back, in minor units. */
export function refundableAmount(order: OrderState): number {
  return Math.max(order.payment.captured - order.payment.refunded, 0)
}

/** The lines as quantities per SKU: the same order of goods, however the lines are split or sorted. */
function quantitiesBySku(lines: readonly OrderLineRequest[]): Map<string, number> {
  const quantities = new Map<string, number>()
  for (const { sku, quantity } of lines) quantities.set(sku, (quantities.get(sku) ?? 0) + quantity)
  return quantities
}

/** Whether two sets of lines order the same goods. */
export function sameLines(a: readonly OrderLineRequest[], b: readonly OrderLineRequest[]): boolean {
  const [x, y] = [quantitiesBySku(a), quantitiesBySku(b)]
  return x.size === y.size && [...x].every(([sku, quantity]) => y.get(sku) === quantity)
}

/**
 * Decides whether an order may be edited now, before its catalog and stock are asked: edits are for an order placed
 * on the parcels code, confirmed, not yet handed over (nor a pickup on its way to the order: `pickupArrived`), that
 * the edit changes. Unknown products, stock and payment are answered by the edit itself.
 */
export function editRefusal(
  order: OrderState,
  edit: { lines: readonly OrderLineRequest[]; shippingAddress?: unknown },
  pickupArrived: boolean,
): OrderEditRefusal | null {
  if (finalStatuses.has(order.status) || !order.shipments) return 'order_closed'
  if (handedOver(order) || pickupArrived || order.status === 'SHIPPED') return 'already_shipped'
  if (order.status !== 'CONFIRMED') return 'order_closed'
  const sameAddress =
    edit.shippingAddress === undefined || JSON.stringify(edit.shippingAddress) === JSON.stringify(order.shippingAddress)
  return sameLines(order.lines, edit.lines) && sameAddress ? 'nothing_changed' : null
}
