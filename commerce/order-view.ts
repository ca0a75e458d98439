import type { OrderRow } from '../db/order-queries.js'
import type { OrderSnapshot } from '../db/order-read-model.js'
import { DEFAULT_STOCK_LOCATION, type ParcelStatus, type ParcelView, shipmentWorkflowId } from '../domain/fulfilment.js'
import type { PaymentState, PricedLine, ShipmentState } from '../domain/order-types.js'
import type { FulfillmentStatus } from '../domain/vocabulary.js'
import type { OrderView } from '../api/schemas/orders.js'

/** What an order says about its parcels: `shipments` once it has several, else its one `shipment`. */
interface OrderParcels {
  orderId: string
  lines: readonly PricedLine[]
  fulfillmentStatus: FulfillmentStatus
  shipment: ShipmentState | null
  shipments?: readonly ParcelView[] | undefined
}

/** Where the one parcel of an order from before parcels existed stands, from the order's fulfilment status. */
function singleParcelStatus(status: FulfillmentStatus): ParcelStatus {
  switch (status) {
    case 'UNFULFILLED':
    case 'PARTIALLY_SHIPPED':
    case 'PARTIALLY_DELIVERED':
      return 'PLANNED'
    default:
      return status
  }
}

/**
 * The order's parcels as the view shows them: its `shipments`, or, for an
 * order from before parcels existed, its one `shipment` as a single parcel
 * from the default location (none before its label is bought).
 */
export function parcelsOf(order: OrderParcels): ParcelView[] {
  if (order.shipments && order.shipments.length > 0) return [...order.shipments]
  if (!order.shipment) return []
  return [
    {
      id: shipmentWorkflowId(order.orderId, 1),
      parcel: 1,
      locationId: DEFAULT_STOCK_LOCATION,
      lines: order.lines.map((line) => ({ sku: line.sku, quantity: line.quantity })),
      carrier: order.shipment.carrier,
      trackingNumber: order.shipment.trackingNumber,
      status: singleParcelStatus(order.fulfillmentStatus),
      events: [],
    },
  ]
}

/** The parcels as clients see them: carrier events without their ids or the cash collected. */
function shipmentsView(parcels: readonly ParcelView[]): OrderView['shipments'] {
  return parcels.map((parcel) => ({
    id: parcel.id,
    parcel: parcel.parcel,
    locationId: parcel.locationId,
    lines: parcel.lines.map((line) => ({ sku: line.sku, quantity: line.quantity })),
    carrier: parcel.carrier,
    trackingNumber: parcel.trackingNumber,
    status: parcel.status,
    events: parcel.events.map((event) => ({ status: event.status, occurredAt: event.occurredAt, location: event.location })),
  }))
}

/** `shipment`, as clients of the one-parcel contract know it: the first parcel's label, once bought. */
function firstShipment(shipment: ShipmentState | null, parcels: readonly ParcelView[]): OrderView['shipment'] {
  const first = parcels[0]
  if (first?.carrier && first.trackingNumber) return { carrier: first.carrier, trackingNumber: first.trackingNumber }
  return shipment ? { carrier: shipment.carrier, trackingNumber: shipment.trackingNumber } : null
}

/** The amounts of a payment, without the provider's reference. */
function paymentView(payment: PaymentState): OrderView['payment'] {
  return {
    authorized: payment.authorized,
    captured: payment.captured,
    refunded: payment.refunded,
    refundableUntil: payment.refundableUntil ?? null,
  }
}

/** An order as clients see it, from the workflow's live state. */
export function orderViewFromState(order: OrderSnapshot): OrderView {
  const parcels = parcelsOf(order)
  return {
    id: order.orderId,
    customerId: order.customerId,
    status: order.status,
    paymentStatus: order.paymentStatus,
    fulfillmentStatus: order.fulfillmentStatus,
    paymentMethod: order.paymentMethod,
    lines: order.lines,
    totals: order.totals,
    shippingAddress: order.shippingAddress,
    payment: paymentView(order.payment),
    shipment: firstShipment(order.shipment, parcels),
    shipments: shipmentsView(parcels),
    cancellation: order.cancellation,
    codConfirmationDeadline: order.codConfirmationDeadline,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
    version: order.version,
  }
}

/** An order as clients see it, from the Postgres read model. */
export function orderViewFromRow(row: OrderRow): OrderView {
  const parcels = parcelsOf({
    orderId: row.id,
    lines: row.lines,
    fulfillmentStatus: row.fulfillment_status,
    shipment: row.shipment,
    shipments: row.shipments,
  })
  return {
    id: row.id,
    customerId: row.customer_id,
    status: row.status as OrderView['status'],
    paymentStatus: row.payment_status as OrderView['paymentStatus'],
    fulfillmentStatus: row.fulfillment_status as FulfillmentStatus,
    paymentMethod: row.payment_method as OrderView['paymentMethod'],
    lines: row.lines,
    totals: { currency: row.currency, subtotal: row.subtotal, shipping: row.shipping, total: row.total },
    shippingAddress: row.shipping_address,
    payment: paymentView(row.payment),
    shipment: firstShipment(row.shipment, parcels),
    shipments: shipmentsView(parcels),
    cancellation: row.cancellation,
    codConfirmationDeadline: row.cod_confirmation_deadline?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: row.version,
  }
}

/**
 * An order answer stored under an Idempotency-Key (a placement's, a
 * refund's), in today's shape. Keys live 24 hours, so a replay may return an
 * answer stored before a field existed: such a field gets the value it had
 * at placement (`payment`: nothing held, taken or given back yet; `version`:
 * 0, older than any the order recorded; `shipments`: none), and the replay still honours the
 * contract.
 */
export function storedOrderView(stored: Record<string, unknown>): OrderView {
  const placed: Pick<OrderView, 'payment' | 'version' | 'shipments'> = {
    payment: { authorized: 0, captured: 0, refunded: 0, refundableUntil: null },
    version: 0,
    shipments: [],
  }
  return { ...placed, ...stored } as OrderView
}
