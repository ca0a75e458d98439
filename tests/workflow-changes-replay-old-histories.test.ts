/**
 * Orders placed with earlier versions of `orderWorkflow` replay on today's
 * code: a `status` query on a finished order, and every worker restart for a
 * running one, re-runs its history, and a change that issues other commands
 * than the history recorded breaks that order with a nondeterminism error.
 * The histories in `tests/histories/` were recorded from real runs of older
 * code; see the README there for where each came from and how to add one.
 */
import { type Payload, defaultPayloadConverter } from '@temporalio/common'
import { temporal } from '@temporalio/proto'
import { expect } from 'vitest'
import { installTemporalLogging } from '../logger.js'
import type { OrderState } from '../domain/order-types.js'
import type { CancellationReason } from '../domain/vocabulary.js'
import { PayloadEncryptionCodec } from '../temporal/payload-encryption.js'
import { logger, testPayloadKeys } from './support/services.js'
import type { OrderWorkflowInput } from '../workflows/order/continue-as-new.js'
import { TODAYS_ORDERS } from '../workflows/order/order-code.js'
import { type History, describeRecordedHistories, recordedOpen } from './support/recorded-histories.js'
const { EventType } = temporal.api.enums.v1

interface RecordedOrder {
  /**
   * How the workflow closed: completed (the default), canceled (by an operator's cancellation in Temporal), or
   * still open: recorded mid-journey, as a deploy meets it, so that the code that carries it on must replay it.
   */
  closed?: 'completed' | 'canceled' | 'open' | 'continued-as-new'
  /**
   * How the order ended, as its workflow returned it (or, for a canceled or open one, as its last read-model write
   * recorded it; an open one on the small-history code writes locally: only its published status is in the history).
   */
  outcome: Pick<OrderState, 'status'> &
    Partial<Pick<OrderState, 'paymentStatus'>> & { cancellation?: { reason: CancellationReason } }
  /**
   * The activities the history scheduled, in order, leaving out `recordOrder` (the read-model write after each
   * step); a local activity (recorded as a marker) is `local:<name>`.
   */
  steps: string[]
  /** The `patched()` ids the history recorded a marker for; none when left out. */
  patches?: string[]
}

/** The steps of a card order on the small-history code: the database steps run as local activities. */
const smallHistoryCardSteps = [
  'local:priceOrder',
  'local:reserveStock',
  'authorizePayment',
  'createShipment',
  'local:commitStock',
  'capturePayment',
]

/** The one marker of an order placed on today's code. */
const todaysOrders = TODAYS_ORDERS

/** An edit that adds a line in a parcel of its own: re-priced, the difference authorized, two pickups, two captures. */
const anEditAddsAParcel = [
  'local:priceOrder',
  'authorizePayment',
  'reviseReservation',
  'local:commitStock',
  'capturePayment',
  'local:commitStock',
  'voidPayment',
  'capturePayment',
]

/** How an order on the parcels code starts: its labels are bought by its parcels' children, not by the order. */
const placedInParcels = ['local:priceOrder', 'local:reserveStock', 'authorizePayment']

/** Every file in `tests/histories/`, with what it holds; a new history needs its entry here. */
const recorded: Record<string, RecordedOrder> = {
  // Recorded at 5ffef00.
  '2026-11-21-card-order-delivered.json': {
    outcome: { status: 'DELIVERED', paymentStatus: 'PAID' },
    steps: [
      'priceOrder',
      'reserveStock',
      'notifyCustomer',
      'authorizePayment',
      'notifyCustomer',
      'createShipment',
      'commitStock',
      'capturePayment',
      'notifyCustomer',
      'notifyCustomer',
    ],
  },
  '2026-11-21-cod-order-confirmed-and-delivered.json': {
    outcome: { status: 'DELIVERED', paymentStatus: 'PAID' },
    steps: [
      'priceOrder',
      'reserveStock',
      'notifyCustomer',
      'notifyCustomer',
      'createShipment',
      'commitStock',
      'notifyCustomer',
      'recordCodCollection',
      'notifyCustomer',
    ],
  },
  '2026-11-21-card-order-returned-to-sender.json': {
    outcome: { status: 'RETURNED', paymentStatus: 'REFUNDED' },
    steps: [
      'priceOrder',
      'reserveStock',
      'notifyCustomer',
      'authorizePayment',
      'notifyCustomer',
      'createShipment',
      'commitStock',
      'capturePayment',
      'notifyCustomer',
      'notifyCustomer',
      'refundPayment',
      'restockReturnedItems',
      'notifyCustomer',
      'notifyCustomer',
    ],
  },
  '2026-11-21-card-order-cancelled-by-customer-before-pickup.json': {
    outcome: { status: 'CANCELLED', paymentStatus: 'VOIDED', cancellation: { reason: 'customer_request' } },
    steps: [
      'priceOrder',
      'reserveStock',
      'notifyCustomer',
      'authorizePayment',
      'notifyCustomer',
      'createShipment',
      'cancelShipment',
      'voidPayment',
      'releaseStock',
      'notifyCustomer',
    ],
  },
  '2026-11-21-card-declined.json': {
    outcome: { status: 'CANCELLED', paymentStatus: 'FAILED', cancellation: { reason: 'payment_declined' } },
    steps: ['priceOrder', 'reserveStock', 'notifyCustomer', 'authorizePayment', 'releaseStock', 'notifyCustomer'],
  },
  '2026-11-21-cod-order-confirmation-expired.json': {
    outcome: { status: 'CANCELLED', paymentStatus: 'PENDING', cancellation: { reason: 'cod_confirmation_expired' } },
    steps: ['priceOrder', 'reserveStock', 'notifyCustomer', 'releaseStock', 'notifyCustomer'],
  },
  '2026-11-21-paypal-order-approved-and-delivered.json': {
    outcome: { status: 'DELIVERED', paymentStatus: 'PAID' },
    steps: [
      'priceOrder',
      'reserveStock',
      'notifyCustomer',
      'authorizePayment',
      'completeAuthorization',
      'notifyCustomer',
      'createShipment',
      'commitStock',
      'capturePayment',
      'notifyCustomer',
      'notifyCustomer',
    ],
  },
  // Recorded at 259cbcf: partial refunds, the refund window after delivery, PayPal intent CAPTURE, refunds refused.
  '2026-11-21-card-order-delivered-then-refunded-in-two-parts-within-the-window.json': {
    outcome: { status: 'DELIVERED', paymentStatus: 'PARTIALLY_REFUNDED' },
    steps: [
      'priceOrder',
      'reserveStock',
      'notifyCustomer',
      'authorizePayment',
      'notifyCustomer',
      'createShipment',
      'commitStock',
      'capturePayment',
      'notifyCustomer',
      'notifyCustomer',
      'refundPayment',
      'notifyCustomer',
      'refundPayment',
      'notifyCustomer',
    ],
  },
  '2026-11-21-card-order-partially-refunded-in-transit-then-returned-to-sender.json': {
    outcome: { status: 'RETURNED', paymentStatus: 'REFUNDED' },
    steps: [
      'priceOrder',
      'reserveStock',
      'notifyCustomer',
      'authorizePayment',
      'notifyCustomer',
      'createShipment',
      'commitStock',
      'capturePayment',
      'notifyCustomer',
      'refundPayment',
      'notifyCustomer',
      'refundPayment',
      'restockReturnedItems',
      'notifyCustomer',
      'notifyCustomer',
    ],
  },
  '2026-11-21-paypal-capture-order-cancelled-by-customer-before-pickup.json': {
    outcome: { status: 'CANCELLED', paymentStatus: 'REFUNDED', cancellation: { reason: 'customer_request' } },
    steps: [
      'priceOrder',
      'reserveStock',
      'notifyCustomer',
      'authorizePayment',
      'completeAuthorization',
      'notifyCustomer',
      'createShipment',
      'cancelShipment',
      'refundPayment',
      'notifyCustomer',
      'releaseStock',
      'notifyCustomer',
    ],
  },
  '2026-11-21-stripe-card-order-refunded-from-the-dashboard-refund-refused-then-returned.json': {
    outcome: { status: 'RETURNED', paymentStatus: 'PAID' },
    steps: [
      'priceOrder',
      'reserveStock',
      'notifyCustomer',
      'authorizePayment',
      'notifyCustomer',
      'createShipment',
      'commitStock',
      'capturePayment',
      'notifyCustomer',
      'refundPayment',
      'refundPayment',
      'restockReturnedItems',
      'notifyCustomer',
    ],
  },
  // Recorded at the commit that added them: Temporal-level cancellations, steps that fail for good, arrival order.
  '2026-12-01-card-order-cancelled-by-an-operator-in-temporal-before-pickup.json': {
    closed: 'canceled',
    outcome: { status: 'CANCELLED', paymentStatus: 'VOIDED', cancellation: { reason: 'operator_request' } },
    steps: [
      'priceOrder',
      'reserveStock',
      'notifyCustomer',
      'authorizePayment',
      'notifyCustomer',
      'createShipment',
      'describeCancelRequest',
      'cancelShipment',
      'voidPayment',
      'releaseStock',
      'notifyCustomer',
    ],
  },
  '2026-12-01-card-order-cancelled-in-temporal-after-pickup-too-late-then-delivered.json': {
    outcome: { status: 'DELIVERED', paymentStatus: 'PAID' },
    steps: [
      'priceOrder',
      'reserveStock',
      'notifyCustomer',
      'authorizePayment',
      'notifyCustomer',
      'createShipment',
      'commitStock',
      'capturePayment',
      'notifyCustomer',
      'describeCancelRequest',
      'notifyCustomer',
    ],
  },
  '2026-12-01-card-order-pickup-and-cancellation-queued-while-no-worker-ran-pickup-first-then-delivered.json': {
    outcome: { status: 'DELIVERED', paymentStatus: 'PAID' },
    steps: [
      'priceOrder',
      'reserveStock',
      'notifyCustomer',
      'authorizePayment',
      'notifyCustomer',
      'createShipment',
      'commitStock',
      'capturePayment',
      'notifyCustomer',
      'notifyCustomer',
    ],
  },
  '2026-12-01-card-order-with-a-nul-in-its-address-cancelled-processing-failed.json': {
    outcome: { status: 'CANCELLED', paymentStatus: 'VOIDED', cancellation: { reason: 'processing_failed' } },
    steps: [
      'priceOrder',
      'reserveStock',
      'notifyCustomer',
      'authorizePayment',
      'notifyCustomer',
      'createShipment',
      'voidPayment',
      'releaseStock',
      'notifyCustomer',
    ],
  },
  // Recorded at a8ae757, the commit before the workflow was split into steps: paths the corpus lacked, and two
  // orders still open (the ones tests/an-order-started-on-the-previous-workflow-code-finishes-on-this-code.test.ts
  // carries across a deploy), recorded at the point where that test changes workers.
  '2026-12-01-card-order-out-of-stock-cancelled.json': {
    outcome: { status: 'CANCELLED', paymentStatus: 'PENDING', cancellation: { reason: 'out_of_stock' } },
    steps: ['priceOrder', 'reserveStock', 'notifyCustomer'],
  },
  '2026-12-01-card-order-authorization-lapsed-before-pickup-cancelled.json': {
    outcome: { status: 'CANCELLED', paymentStatus: 'VOIDED', cancellation: { reason: 'authorization_expired' } },
    steps: [
      'priceOrder',
      'reserveStock',
      'notifyCustomer',
      'authorizePayment',
      'notifyCustomer',
      'createShipment',
      'cancelShipment',
      'voidPayment',
      'releaseStock',
      'notifyCustomer',
    ],
  },
  '2026-12-01-cod-order-delivery-exception-then-returned-to-sender.json': {
    outcome: { status: 'RETURNED', paymentStatus: 'VOIDED' },
    steps: [
      'priceOrder',
      'reserveStock',
      'notifyCustomer',
      'notifyCustomer',
      'createShipment',
      'commitStock',
      'notifyCustomer',
      'notifyCustomer',
      'restockReturnedItems',
      'notifyCustomer',
    ],
  },
  '2026-12-01-cod-order-pickup-repeated-a-stale-event-delivered-with-a-collection-mismatch.json': {
    outcome: { status: 'DELIVERED', paymentStatus: 'PAID' },
    steps: [
      'priceOrder',
      'reserveStock',
      'notifyCustomer',
      'notifyCustomer',
      'createShipment',
      'commitStock',
      'notifyCustomer',
      'recordCodCollection',
      'notifyCustomer',
    ],
  },
  '2026-12-01-card-order-delivered-a-carrier-event-in-the-refund-window-noted-when-it-closed.json': {
    outcome: { status: 'DELIVERED', paymentStatus: 'PAID' },
    steps: [
      'priceOrder',
      'reserveStock',
      'notifyCustomer',
      'authorizePayment',
      'notifyCustomer',
      'createShipment',
      'commitStock',
      'capturePayment',
      'notifyCustomer',
      'notifyCustomer',
    ],
    patches: ['late-carrier-events-noted'],
  },
  '2026-12-01-card-order-confirmed-with-a-label-still-open.json': {
    closed: 'open',
    outcome: { status: 'CONFIRMED', paymentStatus: 'AUTHORIZED' },
    steps: ['priceOrder', 'reserveStock', 'notifyCustomer', 'authorizePayment', 'notifyCustomer', 'createShipment'],
  },
  '2026-12-01-card-order-delivered-in-a-30-day-refund-window-still-open.json': {
    closed: 'open',
    outcome: { status: 'DELIVERED', paymentStatus: 'PAID' },
    steps: [
      'priceOrder',
      'reserveStock',
      'notifyCustomer',
      'authorizePayment',
      'notifyCustomer',
      'createShipment',
      'commitStock',
      'capturePayment',
      'notifyCustomer',
      'notifyCustomer',
    ],
  },
  // Recorded on the small-history code (patched('small-history')).
  '2026-12-01-card-order-delivered-bookkeeping-in-one-local-call-per-change.json': {
    outcome: { status: 'DELIVERED', paymentStatus: 'PAID' },
    steps: smallHistoryCardSteps,
    patches: ['small-history'],
  },
  '2026-12-01-cod-order-confirmed-and-delivered-bookkeeping-in-one-local-call-per-change.json': {
    outcome: { status: 'DELIVERED', paymentStatus: 'PAID' },
    steps: ['local:priceOrder', 'local:reserveStock', 'createShipment', 'local:commitStock', 'local:recordCodCollection'],
    patches: ['small-history'],
  },
  '2026-12-01-card-order-repeated-scans-deduplicated-a-stale-one-noted-delivered.json': {
    outcome: { status: 'DELIVERED', paymentStatus: 'PAID' },
    steps: smallHistoryCardSteps,
    patches: ['small-history'],
  },
  '2026-12-01-card-order-shipped-repeated-scans-then-continued-as-new.json': {
    closed: 'continued-as-new',
    outcome: { status: 'SHIPPED', paymentStatus: 'PAID' },
    steps: smallHistoryCardSteps,
    patches: ['small-history'],
  },
  '2026-12-01-card-order-continued-as-new-refunded-twice-cancel-refused-delivered.json': {
    outcome: { status: 'DELIVERED', paymentStatus: 'PARTIALLY_REFUNDED' },
    steps: ['refundPayment', 'local:notifyCustomer', 'refundPayment', 'local:notifyCustomer'],
    patches: ['small-history'],
  },
  // Recorded on patched('order-closes-at-journey-end'): the order's workflow completes at delivery.
  '2026-12-01-card-order-delivered-closes-at-its-journeys-end.json': {
    outcome: { status: 'DELIVERED', paymentStatus: 'PAID' },
    steps: smallHistoryCardSteps,
    patches: ['small-history', 'order-closes-at-journey-end'],
  },
  // Recorded on the merged code (small history, parcels, the order closing at its journey's end), at 4dbe9e8.
  '2026-12-01-card-order-in-one-parcel-delivered-closes-at-its-journeys-end-on-parcels.json': {
    outcome: { status: 'DELIVERED', paymentStatus: 'PAID' },
    steps: ['local:priceOrder', 'local:reserveStock', 'authorizePayment', 'local:commitStock', 'capturePayment'],
    patches: ['small-history', 'parcels', 'order-closes-at-journey-end'],
  },
  '2026-12-01-card-order-in-two-parcels-delivered-closes-at-its-journeys-end-on-parcels.json': {
    outcome: { status: 'DELIVERED', paymentStatus: 'PAID' },
    steps: [
      'local:priceOrder',
      'local:reserveStock',
      'authorizePayment',
      'local:commitStock',
      'capturePayment',
      'local:commitStock',
      'capturePayment',
    ],
    patches: ['small-history', 'parcels', 'order-closes-at-journey-end'],
  },
  // Recorded on the parcels code (patched('parcels')): one shipment child workflow per parcel, whose labels and
  // carrier events are in the children's histories; captures per parcel; edits.
  '2026-12-01-card-order-split-over-two-locations-two-parcels-two-captures-delivered.json': {
    outcome: { status: 'DELIVERED', paymentStatus: 'PAID' },
    steps: [...placedInParcels, 'local:commitStock', 'capturePayment', 'local:commitStock', 'capturePayment'],
    patches: ['small-history', 'parcels'],
  },
  '2026-12-01-card-order-in-two-parcels-one-delivered-one-returned-to-sender.json': {
    outcome: { status: 'DELIVERED', paymentStatus: 'PARTIALLY_REFUNDED' },
    steps: [
      ...placedInParcels,
      'local:commitStock',
      'capturePayment',
      'local:commitStock',
      'capturePayment',
      'refundPayment',
      'local:restockReturnedItems',
    ],
    patches: ['small-history', 'parcels'],
  },
  '2026-12-01-card-order-in-two-parcels-the-second-cancelled-after-the-first-was-picked-up-delivered.json': {
    outcome: { status: 'DELIVERED', paymentStatus: 'PAID' },
    steps: [...placedInParcels, 'local:commitStock', 'capturePayment', 'local:releaseStock', 'voidPayment'],
    patches: ['small-history', 'parcels'],
  },
  '2026-12-01-card-order-edited-a-line-added-in-a-parcel-of-its-own-two-captures-delivered.json': {
    outcome: { status: 'DELIVERED', paymentStatus: 'PAID' },
    steps: [...placedInParcels, ...anEditAddsAParcel],
    patches: ['small-history', 'parcels'],
  },
  '2026-12-01-card-order-edited-a-line-removed-captured-less-delivered.json': {
    outcome: { status: 'DELIVERED', paymentStatus: 'PAID' },
    steps: [...placedInParcels, 'local:priceOrder', 'reviseReservation', 'local:commitStock', 'capturePayment'],
    patches: ['small-history', 'parcels'],
  },
  '2026-12-01-card-order-edit-declined-for-what-it-adds-then-delivered-unchanged.json': {
    outcome: { status: 'DELIVERED', paymentStatus: 'PAID' },
    steps: [...placedInParcels, 'local:priceOrder', 'authorizePayment', 'local:commitStock', 'capturePayment'],
    patches: ['small-history', 'parcels'],
  },
  '2026-12-01-card-order-edit-racing-a-pickup-refused-already-shipped-delivered.json': {
    outcome: { status: 'DELIVERED', paymentStatus: 'PAID' },
    steps: [...placedInParcels, 'local:commitStock', 'capturePayment'],
    patches: ['small-history', 'parcels'],
  },
  // Recorded open on 0554149 (the parcels code: a child workflow even for an order in one parcel), as the
  // previous-code test leaves them when it stops that commit's worker; today's code carries them on.
  '2026-12-01-card-order-on-the-parcels-code-labelled-by-its-parcels-child-still-open.json': {
    closed: 'open',
    outcome: { status: 'CONFIRMED' },
    steps: placedInParcels,
    patches: ['small-history', 'parcels'],
  },
  '2026-12-01-cod-order-on-the-parcels-code-awaiting-confirmation-still-open.json': {
    closed: 'open',
    outcome: { status: 'AWAITING_CONFIRMATION' },
    steps: ['local:priceOrder', 'local:reserveStock'],
    patches: ['small-history', 'parcels'],
  },
  // Recorded on today's code (one marker, `orders-since-2026-12-01`, for every change; an order in one parcel follows
  // it itself: its label bought and cancelled by the order), by HISTORY_DIR runs of the tests named in the README.
  '2026-12-01-card-order-in-one-parcel-followed-in-the-order-delivered.json': {
    outcome: { status: 'DELIVERED', paymentStatus: 'PAID' },
    steps: smallHistoryCardSteps,
    patches: [todaysOrders],
  },
  '2026-12-01-cod-order-in-one-parcel-followed-in-the-order-confirmed-and-delivered.json': {
    outcome: { status: 'DELIVERED', paymentStatus: 'PAID' },
    steps: ['local:priceOrder', 'local:reserveStock', 'createShipment', 'local:commitStock', 'local:recordCodCollection'],
    patches: [todaysOrders],
  },
  '2026-12-01-card-order-in-one-parcel-cancelled-its-label-cancelled-by-the-order-a-late-event-noted.json': {
    outcome: { status: 'CANCELLED', paymentStatus: 'VOIDED', cancellation: { reason: 'customer_request' } },
    steps: [...placedInParcels, 'createShipment', 'cancelShipment', 'voidPayment', 'local:releaseStock'],
    patches: [todaysOrders],
  },
  '2026-12-01-card-order-in-one-parcel-shipped-scanned-then-continued-as-new.json': {
    closed: 'continued-as-new',
    outcome: { status: 'SHIPPED', paymentStatus: 'PAID' },
    steps: smallHistoryCardSteps,
    patches: [todaysOrders],
  },
  '2026-12-01-card-order-in-one-parcel-continued-as-new-refunded-cancel-refused-delivered.json': {
    outcome: { status: 'DELIVERED', paymentStatus: 'PARTIALLY_REFUNDED' },
    steps: ['refundPayment', 'local:notifyCustomer', 'refundPayment', 'local:notifyCustomer'],
    patches: [todaysOrders],
  },
  '2026-12-01-card-order-edited-a-line-added-in-a-parcel-of-its-own-two-captures-delivered-its-first-parcel-followed-in-the-order.json':
    {
      outcome: { status: 'DELIVERED', paymentStatus: 'PAID' },
      // The first parcel's label bought by the order, the added parcel's by its own child.
      steps: [...placedInParcels, 'createShipment', ...anEditAddsAParcel],
      patches: [todaysOrders],
    },
  '2026-12-01-card-order-edited-a-line-removed-captured-less-delivered-its-first-parcel-followed-in-the-order.json': {
    outcome: { status: 'DELIVERED', paymentStatus: 'PAID' },
    // The parcel's lines changed: its label cancelled and a new one bought, both by the order.
    steps: [
      ...placedInParcels,
      'createShipment',
      'local:priceOrder',
      'reviseReservation',
      'cancelShipment',
      'createShipment',
      'local:commitStock',
      'capturePayment',
    ],
    patches: [todaysOrders],
  },
  '2026-12-01-card-order-edit-declined-for-what-it-adds-then-delivered-unchanged-its-first-parcel-followed-in-the-order.json': {
    outcome: { status: 'DELIVERED', paymentStatus: 'PAID' },
    steps: [...placedInParcels, 'createShipment', 'local:priceOrder', 'authorizePayment', 'local:commitStock', 'capturePayment'],
    patches: [todaysOrders],
  },
  '2026-12-01-card-order-edit-racing-a-pickup-refused-already-shipped-delivered-its-first-parcel-followed-in-the-order.json': {
    outcome: { status: 'DELIVERED', paymentStatus: 'PAID' },
    steps: smallHistoryCardSteps,
    patches: [todaysOrders],
  },
}

const folder = new URL('./histories/', import.meta.url)

function scheduledSteps(history: History): string[] {
  return history.events
    .map((event) => event.activityTaskScheduledEventAttributes?.activityType?.name ?? localActivityOf(event))
    .filter((name): name is string => name !== undefined && name !== null && !/^(local:)?recordOrder$/.test(name))
}

/** `local:<name>` for a local activity's marker. */
function localActivityOf(event: History['events'][number]): string | undefined {
  const marker = event.markerRecordedEventAttributes
  const data = marker?.markerName === 'core_local_activity' ? marker.details?.['data']?.payloads?.[0] : undefined
  return data ? `local:${defaultPayloadConverter.fromPayload<{ activity_type: string }>(data).activity_type}` : undefined
}

/** The order as the workflow returned it; a canceled workflow returns nothing, so as its last read-model write had it. */
/** The `patched()` ids the history recorded markers for, in order. */
async function recordedPatches(history: History): Promise<string[]> {
  const markers = history.events
    .map((event) => event.markerRecordedEventAttributes)
    .filter((marker) => marker?.markerName === 'core_patch')
  return Promise.all(
    markers.map(async (marker) => (await read<{ id: string }>(marker!.details!['patch-data']!.payloads![0]!)).id),
  )
}

/**
 * A payload's value, opened first when sealed: the histories before payload encryption are `json/plain`, later ones
 * were recorded with the tests' key.
 */
async function read<T>(payload: Payload): Promise<T> {
  const [opened] = await new PayloadEncryptionCodec(testPayloadKeys).decode([payload])
  return defaultPayloadConverter.fromPayload<T>(opened!)
}

async function returnedOrder(history: History): Promise<Omit<OrderState, 'timeline'>> {
  const payload = history.events.at(-1)?.workflowExecutionCompletedEventAttributes?.result?.payloads?.[0]
  if (payload) return read<OrderState>(payload)
  const carried = history.events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.input?.payloads?.[0]
  if (carried) return (await read<OrderWorkflowInput>(carried)).carriedOver!.record.state
  const lastWrite = history.events
    .map((event) => event.activityTaskScheduledEventAttributes)
    .filter((scheduled) => scheduled?.activityType?.name === 'recordOrder')
    .at(-1)?.input?.payloads?.[0]
  if (lastWrite) return (await read<{ order: Omit<OrderState, 'timeline'> }>(lastWrite)).order
  const published = history.events
    .map((event) => event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.['OrderStatus'])
    .filter((status) => status != null)
    .at(-1)
  if (!published) throw new Error('the history has no workflow result, no read-model write and no published status')
  return { status: defaultPayloadConverter.fromPayload<string>(published) } as Omit<OrderState, 'timeline'>
}

installTemporalLogging(logger, { level: 'ERROR' })

// The workflow id (not in a history) only names the run in a replay's errors: orderWorkflow never reads it.
describeRecordedHistories(
  'histories recorded from earlier versions of the order workflow',
  folder,
  recorded,
  async (history, expected) => {
    // An order's shortest path (out of stock) records 31 events, an open COD order 14; a shorter file is cut short.
    expect(history.events.length).toBeGreaterThan(expected.closed === 'open' ? 10 : 30)
    expect(history.events[0]?.eventType).toBe(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED)
    expect(history.events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name).toBe('orderWorkflow')
    if (expected.closed === 'open') {
      expect(recordedOpen(history)).toBe(true)
    } else {
      expect(history.events.at(-1)?.eventType).toBe(
        expected.closed === 'canceled'
          ? EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED
          : expected.closed === 'continued-as-new'
            ? EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
            : EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
      )
    }
    expect(await returnedOrder(history)).toMatchObject(expected.outcome)
    expect(scheduledSteps(history)).toEqual(expected.steps)
    expect(await recordedPatches(history)).toEqual(expected.patches ?? [])
  },
)
