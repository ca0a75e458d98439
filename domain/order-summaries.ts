/**
 * How an order reads in Temporal's Web UI and CLI: the workflow's summary and
 * details, the current details at each status change, and a one-line summary
 * for every activity and timer, in the order's own terms ("Reserve 2 ×
 * MUG-CLASSIC", "Authorize USD 29.99 with Stripe"). Pure functions of the
 * order, so the API (start options) and the workflow (user metadata) say the
 * same thing; a change of wording changes no command, so recorded histories
 * still replay.
 *
 * @example
 * ```ts
 * orderSummary(input) // '2 × MUG-CLASSIC · USD 29.99 · card with Stripe · customer cust_42'
 * ```
 */
import type { Actor, Money, OrderLineRequest, OrderState, PaymentInstruction, PlaceOrderInput } from './order-types.js'
import type { PaymentProviderName } from './vocabulary.js'

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const

/** Shown in a summary: the first few lines, then how many more. */
const LINES_SHOWN = 3

/**
 * An amount as people read it: the currency code and the amount in major units.
 *
 * @example
 * ```ts
 * moneyInWords({ amount: 2999, currency: 'USD' }) // 'USD 29.99'
 * moneyInWords({ amount: 500, currency: 'JPY' })  // 'JPY 500'
 * ```
 */
export function moneyInWords({ amount, currency }: Money): string {
  let digits = 2
  try {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
  } catch {
    // An unknown code never reaches an order; if one did, two decimals read well enough.
  }
  return `${currency} ${(amount / 10 ** digits).toFixed(digits)}`
}

/**
 * A moment as support staff read it, in UTC, to the minute: `2 Dec 09:00 UTC`.
 * The year is left out: an order lives for weeks, not years.
 */
export function momentInWords(iso: string): string {
  const at = new Date(iso)
  if (Number.isNaN(at.getTime())) return iso
  const hh = String(at.getUTCHours()).padStart(2, '0')
  const mm = String(at.getUTCMinutes()).padStart(2, '0')
  return `${at.getUTCDate()} ${MONTHS[at.getUTCMonth()]} ${hh}:${mm} UTC`
}

/** What was ordered: `2 × MUG-CLASSIC, 1 × CAP-RED`, then `and 2 more lines` past three. */
export function linesInWords(lines: readonly OrderLineRequest[]): string {
  const shown = lines.slice(0, LINES_SHOWN).map(({ sku, quantity }) => `${quantity} × ${sku}`)
  const more = lines.length - shown.length
  return more > 0 ? `${shown.join(', ')} and ${more} more line${more === 1 ? '' : 's'}` : shown.join(', ')
}

/** A payment provider by the name people know: `Stripe`, `PayPal`, `the sandbox`. */
export function providerInWords(provider: PaymentProviderName | string | null): string {
  switch (provider) {
    case 'stripe':
      return 'Stripe'
    case 'paypal':
      return 'PayPal'
    case 'sandbox':
      return 'the sandbox'
    case null:
      return 'no provider'
    default:
      return provider
  }
}

/** How the customer pays: `card with Stripe`, `PayPal`, `cash on delivery`. */
export function paymentInWords(payment: PaymentInstruction): string {
  if (payment.method === 'cod') return 'cash on delivery'
  if (payment.method === 'paypal') return 'PayPal'
  return payment.provider === 'stripe' ? 'card with Stripe' : 'card (sandbox)'
}

/**
 * The order workflow's static summary, one line: what was ordered, the total,
 * how it is paid and who ordered it.
 */
export function orderSummary(input: PlaceOrderInput): string {
  const total = moneyInWords({ amount: input.quote.totals.total, currency: input.quote.totals.currency })
  return `${linesInWords(input.quote.lines)} · ${total} · ${paymentInWords(input.payment)} · customer ${input.customerId}`
}

/**
 * The order workflow's static details (Temporal markdown): every line with its
 * price, the totals, the payment, who ordered and where it goes (name, city
 * and country only: the address itself is in the input).
 */
export function orderDetails(input: PlaceOrderInput): string {
  const { lines, totals } = input.quote
  const money = (amount: number) => moneyInWords({ amount, currency: totals.currency })
  const { name, city, country } = input.shippingAddress
  return [
    `**Order ${input.orderId}**, placed ${momentInWords(input.placedAt)} by customer \`${input.customerId}\``,
    '',
    ...lines.map(
      (line) => `- ${line.quantity} × ${line.sku} (${line.name}) at ${money(line.unitPrice)}: ${money(line.lineTotal)}`,
    ),
    '',
    `Subtotal ${money(totals.subtotal)} · shipping ${money(totals.shipping)} · **total ${money(totals.total)}**`,
    `Payment: ${paymentInWords(input.payment)}`,
    `Ship to: ${name}, ${city}, ${country}`,
  ].join('\n')
}

/**
 * The order workflow's current details (Temporal markdown), rewritten at each
 * status change: the statuses on the first line, then the money, the parcel,
 * what the order waits for, and the last thing that happened.
 */
export function currentDetails(state: OrderState): string {
  const glance = orderOverview(state)
  const { cancellation, shipment } = state
  return [
    `**${state.status}** · payment ${state.paymentStatus} · fulfillment ${state.fulfillmentStatus}`,
    `Total ${glance.total} · ${glance.payment}`,
    shipment ? `Parcel: ${shipment.carrier} ${shipment.trackingNumber}` : null,
    glance.waitingFor ? `Waiting for ${glance.waitingFor}` : null,
    cancellation ? `Cancelled (${cancellation.reason}) by ${actorInWords(cancellation.by)}` : null,
    glance.flagged ? `⚠ ${glance.flagged}` : null,
    glance.last ? `Last: ${glance.last}` : null,
  ]
    .filter((line) => line !== null)
    .join('\n')
}

function actorInWords(actor: Actor): string {
  return actor.id ? `${actor.type} ${actor.id}` : `the ${actor.type}`
}

/**
 * One-line summaries of the order's activities and timers, as the Web UI
 * shows them on the timeline and in the event history.
 */
export const stepSummaries = {
  priceOrder: (lines: readonly OrderLineRequest[], currency: string) =>
    `Price ${linesInWords(lines)} from the catalog in ${currency}`,
  reserveStock: (lines: readonly OrderLineRequest[]) => `Reserve ${linesInWords(lines)}`,
  releaseStock: (lines: readonly OrderLineRequest[]) => `Release the stock reserved for ${linesInWords(lines)}`,
  authorizePayment: (amount: Money, provider: string | null) =>
    `Authorize ${moneyInWords(amount)} with ${providerInWords(provider)}`,
  completeAuthorization: (provider: string | null) =>
    provider === 'paypal'
      ? 'Ask PayPal whether the customer approved the payment'
      : `Ask ${providerInWords(provider)} whether the customer completed 3-D Secure`,
  voidPayment: (provider: string | null) => `Void the ${providerInWords(provider)} authorization`,
  capturePayment: (amount: Money, provider: string | null) =>
    `Capture ${moneyInWords(amount)} at hand-over with ${providerInWords(provider)}`,
  refundPayment: (amount: Money, provider: string | null, refundNumber: number, why: string) =>
    `Refund ${moneyInWords(amount)} with ${providerInWords(provider)} (refund ${refundNumber}: ${why})`,
  createShipment: (lines: readonly OrderLineRequest[], country: string) =>
    `Buy a shipping label for ${linesInWords(lines)} to ${country}`,
  cancelShipment: (trackingNumber: string) => `Cancel shipping label ${trackingNumber}`,
  commitStock: (lines: readonly OrderLineRequest[]) => `Commit the stock of ${linesInWords(lines)}: the carrier has it`,
  restockReturnedItems: (lines: readonly OrderLineRequest[]) => `Put the returned ${linesInWords(lines)} back in stock`,
  recordCodCollection: (expected: Money, collected: number | null) =>
    collected === null
      ? `Record cash on delivery: the carrier reported no amount (expected ${moneyInWords(expected)})`
      : collected === expected.amount
        ? `Record ${moneyInWords(expected)} collected at the door`
        : `Record ${moneyInWords({ ...expected, amount: collected })} collected at the door (expected ${moneyInWords(expected)})`,
  describeCancelRequest: () => 'Look up who cancelled the order in Temporal, and why',
  listUnsettledCodCollections: () => 'List cash-on-delivery collections not yet settled with the carrier',
} as const

/** One-line summaries of the order's timers: what the order waits for, and until when. */
export const timerSummaries = {
  codConfirmation: (deadline: string) => `Wait for COD confirmation until ${momentInWords(deadline)}`,
  paymentAction: (provider: string | null, deadline: string) =>
    provider === 'paypal'
      ? `Wait for the customer to approve with PayPal until ${momentInWords(deadline)}`
      : `Wait for the customer to complete 3-D Secure until ${momentInWords(deadline)}`,
  authorizationLapses: (expiresAt: string) => `Card authorization lapses ${momentInWords(expiresAt)} unless picked up`,
  refundWindowCloses: (closesAt: string) => `Refund window closes ${momentInWords(closesAt)}`,
} as const

/** The order at a glance, for operators: what the `overview` query answers (a few hundred bytes, not the whole state). */
export interface OrderOverview {
  orderId: string
  customerId: string
  status: string
  payment: string
  fulfillment: string
  total: string
  /** What the order waits for, and until when; null when it waits for nothing with a deadline. */
  waitingFor: string | null
  /** The last step that failed for good, when staff must look at the order. */
  flagged: string | null
  last: string | null
  updatedAt: string
}

/**
 * The order at a glance: statuses in words, the money, the parcel, the
 * deadline it waits for and the last thing that happened.
 *
 * @example
 * ```sh
 * temporal workflow query --workflow-id order-<id> --type overview
 * ```
 */
export function orderOverview(state: OrderState): OrderOverview {
  const { payment, shipment, totals } = state
  const money = (amount: number) => moneyInWords({ amount, currency: totals.currency })
  const moved = [
    payment.authorized > 0 ? `authorized ${money(payment.authorized)}` : null,
    payment.captured > 0 ? `captured ${money(payment.captured)}` : null,
    payment.refunded > 0 ? `refunded ${money(payment.refunded)}` : null,
  ].filter((part) => part !== null)
  const provider = payment.provider ? ` with ${providerInWords(payment.provider)}` : ''
  const flagged = state.timeline.filter((entry) => entry.type === 'processing_failed').at(-1)
  const last = state.timeline.at(-1)
  return {
    orderId: state.orderId,
    customerId: state.customerId,
    status: state.status,
    payment: `${state.paymentStatus} · ${state.paymentMethod}${provider}${moved.length > 0 ? ` · ${moved.join(', ')}` : ''}`,
    fulfillment: shipment
      ? `${state.fulfillmentStatus} · ${shipment.carrier} ${shipment.trackingNumber}`
      : state.fulfillmentStatus,
    total: money(totals.total),
    waitingFor: waitingFor(state),
    flagged: flagged?.message ?? null,
    last: last ? `${last.message} (${momentInWords(last.at)})` : null,
    updatedAt: state.updatedAt,
  }
}

function waitingFor({ status, paymentStatus, payment, codConfirmationDeadline }: OrderState): string | null {
  if (status === 'AWAITING_CONFIRMATION' && codConfirmationDeadline)
    return `an admin to confirm cash on delivery until ${momentInWords(codConfirmationDeadline)}`
  if (paymentStatus === 'AUTHORIZED' && payment.authorizationExpiresAt)
    return `the carrier's pickup before the authorization lapses ${momentInWords(payment.authorizationExpiresAt)}`
  if (payment.refundableUntil && status === 'DELIVERED') return `refund requests until ${momentInWords(payment.refundableUntil)}`
  return null
}
