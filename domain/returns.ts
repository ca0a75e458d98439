/**
 * After delivery: returns (RMA), refunds by line, exchanges, and cash-on-delivery
 * refunds owed. One after-sales workflow per order (`afterSalesWorkflowId`), started
 * on demand by the first after-sales request; shared by that workflow, the read
 * model, the API and the CLI.
 */
import type { Actor, OrderState, OrderTotals, PricedLine, ShippingAddress, TimelineEntry } from './order-types.js'
import type { OrderStatus, PaymentMethod } from './vocabulary.js'

/** Why a customer sends items back; `damaged`, `wrong_item` and `not_as_described` are the shop's fault. */
export const returnReasons = ['damaged', 'wrong_item', 'not_as_described', 'no_longer_needed', 'other'] as const
export type ReturnReason = (typeof returnReasons)[number]

/** Where a return stands, in the words Shopify and Medusa users know. */
export const returnStatuses = ['REQUESTED', 'APPROVED', 'REJECTED', 'IN_TRANSIT', 'RECEIVED', 'REFUNDED', 'CLOSED'] as const
export type ReturnStatus = (typeof returnStatuses)[number]

/** The id of an order's after-sales workflow. */
export function afterSalesWorkflowId(orderId: string): string {
  return `order-${orderId}-aftersales`
}

/** The reasons that are the shop's fault: shipping is refunded with them. */
export const shopFaultReasons: ReadonlySet<ReturnReason> = new Set(['damaged', 'wrong_item', 'not_as_described'])

/** How long after delivery a customer may ask to return items, unless configured (`RETURN_WINDOW`). */
export const DEFAULT_RETURN_WINDOW_MS = 30 * 24 * 60 * 60 * 1000

/** How long after approval the customer has to hand the return parcel to the carrier (`RETURN_SHIP_DEADLINE`). */
export const DEFAULT_RETURN_SHIP_DEADLINE_MS = 14 * 24 * 60 * 60 * 1000

/**
 * How much more than the returned lines an exchange may cost (minor units of
 * the order's currency). Zero: the card or PayPal approval the order was paid
 * with cannot be charged again, so an exchange costs at most what comes back and
 * the difference is refunded. One exchange per return, in the order's currency.
 */
export const EXCHANGE_TOP_UP_CAP = 0

/** A line the customer sends back, and why. */
export interface ReturnLine {
  sku: string
  quantity: number
  reason: ReturnReason
}

/** What arrived at the warehouse, and whether it can be sold again. */
export interface ReceivedLine {
  sku: string
  quantity: number
  resellable: boolean
}

/** A line of an exchange: what the customer wants instead, priced from the catalog when asked for. */
export type ExchangeLine = PricedLine

/** The replacement a return asks for instead of money. */
export interface ExchangeState {
  /** The key the replacement's stock reservation and parcel are kept under (a UUID of its own). */
  stockKey: string
  lines: ExchangeLine[]
  /** Replacement total less the returned lines' total: charged when positive, refunded when negative. */
  difference: number
  /** The replacement parcel, once shipped on receipt. */
  parcel: { carrier: string; trackingNumber: string } | null
}

/** One return (RMA), as the after-sales workflow, the read model and the API show it. */
export interface ReturnState {
  id: string
  orderId: string
  status: ReturnStatus
  lines: ReturnLine[]
  /** The customer's words when asking; the admin's note on approval or rejection is in the timeline. */
  note: string | null
  label: { carrier: string; trackingNumber: string } | null
  /** When an approved return closes by itself unless the carrier has the parcel. */
  shipBy: string | null
  received: ReceivedLine[]
  refund: { amount: number; currency: string; shipping: number } | null
  /** Replacement lines instead of money; null for a refund. */
  exchange: ExchangeState | null
  /** Units restocked and written off on receipt. */
  restocked: number
  writtenOff: number
  requestedAt: string
  updatedAt: string
  timeline: TimelineEntry[]
}

/** A cash-on-delivery refund owed to the customer, paid by bank transfer outside the system and settled by an admin. */
export interface CodRefundOwed {
  /** `cod-refund-<n>`. */
  id: string
  returnId: string | null
  amount: number
  currency: string
  owedSince: string
  settledAt: string | null
  settledBy: Actor | null
  /** The bank transfer's reference, as the admin gave it. */
  reference: string | null
}

/** A refund the after-sales workflow made (by line on receipt, or a goodwill refund). */
export interface AfterSalesRefund {
  refundNumber: number
  amount: number
  currency: string
  reason: string
  returnId: string | null
  at: string
}

/** An order's after-sales: what the `afterSales` query answers and the read model stores. */
export interface AfterSalesState {
  orderId: string
  customerId: string
  currency: string
  returns: ReturnState[]
  refunds: AfterSalesRefund[]
  codRefundsOwed: CodRefundOwed[]
  /** Until when returns may be asked for (delivery + RETURN_WINDOW); the workflow closes after it once nothing is pending. */
  windowEndsAt: string | null
  /** Captured less refunded, in the order's currency, as the after-sales workflow knows it. */
  refundable: number
  closed: boolean
  /** Grows with every change; the read model ignores writes older than what it has. */
  version: number
}

/** What the after-sales workflow needs from its order (the order's final state or its read model). */
export interface AfterSalesOrder {
  orderId: string
  customerId: string
  status: OrderStatus
  /** The lines delivered, with the prices paid. */
  lines: PricedLine[]
  totals: OrderTotals
  shippingAddress: ShippingAddress
  payment: {
    method: PaymentMethod
    provider: string | null
    reference: string | null
    captured: number
    refunded: number
  }
  /** When the carrier delivered; null if it never did (no returns then, goodwill refunds only). */
  deliveredAt: string | null
  /** Refunds the order made itself: the after-sales refunds are numbered after them (their idempotency keys). */
  refundsMade: number
  /** The order's last timeline seq: after-sales entries in the order's timeline are numbered after it. */
  timelineSeq: number
}

/** How the partner's use cases start the after-sales workflow (Update-with-Start, USE_EXISTING). */
export interface AfterSalesInput {
  order: AfterSalesOrder
  /** RETURN_WINDOW; DEFAULT_RETURN_WINDOW_MS when omitted. */
  returnWindowMs?: number
  /** RETURN_SHIP_DEADLINE; DEFAULT_RETURN_SHIP_DEADLINE_MS when omitted. */
  returnShipDeadlineMs?: number
  /** What an earlier run left, when the workflow continues as new. */
  carriedOver?: AfterSalesState
}

/** Why the after-sales workflow refused an update (the first detail of its `refuseUpdate`). */
export const afterSalesRefusals = [
  'invalid_input',
  'not_allowed',
  'not_admin',
  'not_refundable',
  'order_closed',
  'exceeds_refundable',
  'invalid_amount',
  'not_delivered',
  'return_window_closed',
  'unknown_sku',
  'more_than_delivered',
  'return_not_found',
  'not_requested',
  'not_receivable',
  'received_more_than_returned',
  'exchange_not_allowed',
  'cod_refund_not_found',
  'already_settled',
  'after_sales_closed',
] as const
export type AfterSalesRefusal = (typeof afterSalesRefusals)[number]

/**
 * What the after-sales workflow needs from an order's state (its final state, or
 * the read model's snapshot with its timeline; an order continued as new keeps its whole timeline): the delivery time is the
 * carrier's DELIVERED event, the refunds made are its `payment_refunded` entries.
 */
export function afterSalesOrderOf(order: OrderState): AfterSalesOrder {
  const delivered = order.timeline
    .filter((entry) => entry.type === 'carrier_event' && entry.data?.['status'] === 'DELIVERED')
    .at(-1)
  const { method, provider, reference, captured, refunded } = order.payment
  return {
    orderId: order.orderId,
    customerId: order.customerId,
    status: order.status,
    lines: order.lines.map(({ sku, name, quantity, unitPrice, lineTotal }) => ({ sku, name, quantity, unitPrice, lineTotal })),
    totals: { ...order.totals },
    shippingAddress: { ...order.shippingAddress },
    payment: { method, provider, reference, captured, refunded },
    deliveredAt: order.status === 'DELIVERED' ? (delivered?.at ?? order.updatedAt) : null,
    refundsMade: order.timeline.filter((entry) => entry.type === 'payment_refunded').length,
    timelineSeq: order.timeline.reduce((last, entry) => Math.max(last, entry.seq), 0),
  }
}

/** What the customer is told of (outbox kinds; the read-model writer maps them to order events). */
export const afterSalesNoticeKinds = [
  'return_requested',
  'return_approved',
  'return_rejected',
  'return_received',
  'return_closed',
  'exchange_shipped',
  'refunded',
  'cod_refund_owed',
  'cod_refund_settled',
] as const
export type AfterSalesNoticeKind = (typeof afterSalesNoticeKinds)[number]

/** A notice to queue with an after-sales write; `occurrence` makes each its own (one per return, refund or COD refund). */
export interface AfterSalesNotice {
  kind: AfterSalesNoticeKind
  occurrence: number
  data: Record<string, unknown>
}

/** What a write counts, once, when it is applied: `returns_total{reason,outcome}` and the items written off. */
export interface AfterSalesCounts {
  /** One per return line whose return reached an outcome in this write: `requested`, `approved`, `rejected`, `refunded`, `exchanged`, `expired`. */
  returns: { reason: ReturnReason; outcome: string }[]
  itemsWrittenOff: number
}

/**
 * The read-model write of the after-sales workflow (`recordAfterSales`, an
 * activity in activities/): the returns, the COD refunds owed, the new entries
 * appended to the ORDER's timeline (customer-safe: actor, type, message, data),
 * the notices and the counts, in one transaction; `state.version` keeps a late
 * write from winning, and entries are keyed by the order's timeline seq.
 */
export interface RecordAfterSalesInput {
  state: AfterSalesState
  newTimelineEntries: TimelineEntry[]
  notices: AfterSalesNotice[]
  counts: AfterSalesCounts
}

/** The activities only the after-sales workflow calls (besides payments, pricing and shipping). */
export interface AfterSalesActivities {
  recordAfterSales(input: RecordAfterSalesInput): Promise<void>
  /** A return label from the carrier, the customer's address to the shop; idempotent per return. */
  createReturnLabel(input: {
    orderId: string
    returnId: string
    address: ShippingAddress
    lines: { sku: string; quantity: number }[]
  }): Promise<{ carrier: string; trackingNumber: string; labelId: string }>
  /** Resellable units back on the shelf where they came from, the rest written off; idempotent per return. */
  restockReturnedLines(input: { orderId: string; returnId: string; lines: ReceivedLine[] }): Promise<{
    restocked: number
    writtenOff: number
  }>
}

/** Whether a return still ties up its units: not rejected, and not closed before anything arrived. */
function holdsUnits(ret: ReturnState): boolean {
  return ret.status !== 'REJECTED' && !(ret.status === 'CLOSED' && ret.received.length === 0)
}

/** Units of each sku being returned or returned: what arrived for a received return, what was asked for before. */
export function unitsBeingReturned(returns: readonly ReturnState[]): Map<string, number> {
  const units = new Map<string, number>()
  for (const ret of returns.filter(holdsUnits)) {
    for (const line of ret.received.length > 0 ? ret.received : ret.lines) {
      units.set(line.sku, (units.get(line.sku) ?? 0) + line.quantity)
    }
  }
  return units
}

/** Units of each sku the order delivered. */
function unitsDelivered(order: AfterSalesOrder): Map<string, number> {
  const units = new Map<string, number>()
  for (const line of order.lines) units.set(line.sku, (units.get(line.sku) ?? 0) + line.quantity)
  return units
}

const isCount = (quantity: unknown) => Number.isSafeInteger(quantity) && (quantity as number) > 0

/**
 * Why a return request is refused, or null: lines of a delivered order, within
 * the window, never more than delivered less what is already being returned.
 */
export function returnRequestRefusal(
  sales: AfterSalesState,
  order: AfterSalesOrder,
  request: {
    returnId: string
    actor: Actor
    lines: readonly ReturnLine[]
    exchange?: readonly { sku: string; quantity: number }[] | null | undefined
  },
  nowMs: number,
): AfterSalesRefusal | null {
  const { lines, exchange } = request
  if (!Array.isArray(lines) || lines.length === 0 || typeof request.returnId !== 'string') return 'invalid_input'
  if (lines.some((line) => !isCount(line?.quantity) || !(returnReasons as readonly string[]).includes(line.reason)))
    return 'invalid_input'
  if (exchange && (!Array.isArray(exchange) || exchange.length === 0 || exchange.some((line) => !isCount(line?.quantity))))
    return 'invalid_input'
  if (sales.returns.some((ret) => ret.id === request.returnId)) return 'invalid_input'
  if (request.actor.type === 'customer' && request.actor.id !== order.customerId) return 'not_allowed'
  if (order.status !== 'DELIVERED' || !order.deliveredAt) return 'not_delivered'
  if (!sales.windowEndsAt || nowMs >= new Date(sales.windowEndsAt).getTime()) return 'return_window_closed'
  const delivered = unitsDelivered(order)
  if (lines.some((line) => !delivered.has(line.sku))) return 'unknown_sku'
  const asked = new Map(unitsBeingReturned(sales.returns))
  for (const line of lines) asked.set(line.sku, (asked.get(line.sku) ?? 0) + line.quantity)
  return [...asked].some(([sku, units]) => units > (delivered.get(sku) ?? 0)) ? 'more_than_delivered' : null
}

/** Why a receipt is refused, or null: at most what the return asked for, sku by sku. */
export function receiptRefusal(ret: ReturnState, lines: readonly ReceivedLine[]): AfterSalesRefusal | null {
  if (!Array.isArray(lines) || lines.some((line) => !isCount(line?.quantity) || typeof line.resellable !== 'boolean'))
    return 'invalid_input'
  if (ret.status !== 'APPROVED' && ret.status !== 'IN_TRANSIT') return 'not_receivable'
  const asked = new Map<string, number>()
  for (const line of ret.lines) asked.set(line.sku, (asked.get(line.sku) ?? 0) + line.quantity)
  for (const line of lines) asked.set(line.sku, (asked.get(line.sku) ?? 0) - line.quantity)
  return [...asked.values()].some((left) => left < 0) ? 'received_more_than_returned' : null
}

/**
 * What a received return gives back: the lines that arrived at the price paid,
 * and the shipping when the whole order has come back or a reason is the shop's
 * fault (once per order).
 */
export function refundOfReceipt(
  order: AfterSalesOrder,
  sales: AfterSalesState,
  ret: ReturnState,
): { lines: number; shipping: number } {
  const price = new Map(order.lines.map((line) => [line.sku, line.unitPrice]))
  const lines = ret.received.reduce((sum, line) => sum + line.quantity * (price.get(line.sku) ?? 0), 0)
  const back = unitsBeingReturned(sales.returns.filter((other) => other.received.length > 0))
  const whole = [...unitsDelivered(order)].every(([sku, units]) => (back.get(sku) ?? 0) >= units)
  const receivedSkus = new Set(ret.received.map((line) => line.sku))
  const shopFault = ret.lines.some((line) => receivedSkus.has(line.sku) && shopFaultReasons.has(line.reason))
  const shippingRefunded = sales.returns.some((other) => other.id !== ret.id && (other.refund?.shipping ?? 0) > 0)
  return { lines, shipping: (whole || shopFault) && !shippingRefunded && lines > 0 ? order.totals.shipping : 0 }
}
