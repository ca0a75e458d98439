/**
 * The order workflow's messages, defined once and shared by the workflow, the
 * API and the CLI. Only `@temporalio/workflow` definitions live here, so the
 * file is as safe in a Node process as in the workflow sandbox.
 *
 * @example
 * ```sh
 * temporal workflow query --workflow-id order-<id> --type status
 * ```
 */
import { ApplicationFailure, defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow'
import type { OrderEditRequest } from '../domain/fulfilment.js'
import type { OrderOverview } from '../domain/order-summaries.js'
import type { Actor, CarrierEvent, OrderState, PaymentEvent } from '../domain/order-types.js'
import type { PaymentStatus, RefundReason } from '../domain/vocabulary.js'

/** The full live state of the order. Read-only. */
export const statusQuery = defineQuery<OrderState>('status')

/**
 * The order at a glance, for operators: statuses in words, the money, the
 * parcel, what it waits for and the last thing that happened (a few hundred
 * bytes, where `status` is the whole state with its timeline). Read-only.
 */
export const overviewQuery = defineQuery<OrderOverview>('overview')

/**
 * What each message does, as `temporal workflow metadata` and the Web UI's
 * Queries and Updates show it; the updates' inputs are in `update-inputs.ts`.
 */
export const messageDescriptions = {
  status: 'The whole order as JSON: statuses, lines, totals, payment, shipment, timeline. Read-only.',
  overview: 'The order at a glance: statuses, money, parcel, what it waits for, the last event. Read-only.',
  carrierEvent:
    'A carrier tracking event, relayed by the API from a signed webhook. Repeats and late events change nothing. Operators: do not send by hand.',
  parcelReport: "A parcel's shipment child workflow reports its label or a carrier event it applied. Not for people to send.",
  paymentEvent:
    "A payment provider's webhook or the customer's return: wakes the order to ask the provider. Operators: do not send by hand.",
  awaitPaymentProgress: 'Waits until the first payment attempt has answered; answers where the payment stands. Changes nothing.',
  cancelOrder:
    'Cancels the order before the carrier has it (stock released, payment voided or refunded). Input: {"actor":{"type":"admin","id":"<you>"},"note":"<why>"}.',
  confirmCashOnDelivery:
    'An admin confirms a cash-on-delivery order waiting for confirmation; it then ships. Input: {"actor":{"type":"admin","id":"<you>"}}.',
  editOrder:
    'Edits the order before the carrier has any parcel: new lines (and address), re-priced, re-reserved, re-planned; refused with a reason. The API sends it (POST /v1/orders/{id}/edits).',
  refundPayment:
    'Refunds part or all of a captured payment (minor units). Input: {"actor":{"type":"admin","id":"<you>"},"amount":500,"reason":"damaged","note":null}; send with --update-id refund-<you>-<key> so a retry refunds once.',
} as const

/** A carrier tracking event; duplicates and late arrivals are harmless. */
export const carrierEventSignal = defineSignal<[CarrierEvent]>('carrierEvent')

/** A payment provider said something about the order's payment; duplicates and late arrivals are harmless. */
export const paymentEventSignal = defineSignal<[PaymentEvent]>('paymentEvent')

/** Where the payment stands once the first attempt to take it has answered. References only, never secrets. */
export interface PaymentProgress {
  paymentStatus: PaymentStatus
  provider: string | null
  reference: string | null
}

/**
 * Waits until the order's first payment attempt has answered (authorized,
 * waiting for the customer, declined) or the order has ended, and says where
 * the payment stands. The API asks it while answering a placement, to hand
 * the customer what they need to finish paying.
 */
export const paymentProgressUpdate = defineUpdate<PaymentProgress, []>('awaitPaymentProgress')

export interface CancelOrderRequest {
  actor: Actor
  note: string | null
  /** After the first hand-over: only these parcels (`shipment-<orderId>-<n>`), not yet handed over. All when omitted. */
  shipmentIds?: string[] | undefined
}

/** Cancels the order before pickup; answers with the cancelled order. */
export const cancelOrderUpdate = defineUpdate<OrderState, [CancelOrderRequest]>('cancelOrder')

export interface ConfirmCodRequest {
  actor: Actor
}

/** An admin's confirmation of a cash-on-delivery order; answers with the confirmed order. */
export const confirmCodUpdate = defineUpdate<OrderState, [ConfirmCodRequest]>('confirmCashOnDelivery')

export interface RefundPaymentRequest {
  actor: Actor
  /** Minor units of the order's currency; at most what was captured and not yet refunded. */
  amount: number
  reason: RefundReason
  note: string | null
}

/**
 * An admin gives back part or all of a captured payment, while the parcel is
 * on its way or within the refund window after delivery. Answers once the
 * provider has refunded, with the order; refused (see `refundRefusal`) when
 * there is not that much left to refund.
 *
 * Send it with an update id (the API uses the request's Idempotency-Key):
 * Temporal runs an update id once, so a retried request never refunds twice.
 */
export const refundPaymentUpdate = defineUpdate<OrderState, [RefundPaymentRequest]>('refundPayment')

/**
 * The customer or an admin edits the order before the carrier has any parcel:
 * the new full set of lines and optionally a new address. The order re-prices
 * from the catalog, reserves the difference, re-plans the parcels and settles
 * the money; refused (see `orderEditRefusals`) when it cannot. Answers with the
 * edited order. Sent with the update id {@link editUpdateId}.
 */
export const editOrderUpdate = defineUpdate<OrderState, [OrderEditRequest]>('editOrder')

/**
 * The `type` of the ApplicationFailure an update validator throws when it
 * refuses; its first detail is the refusal reason.
 */
export const UPDATE_REFUSED = 'OrderUpdateRefused'

const WORKFLOW_ID_PREFIX = 'order-'

/** The workflow id of an order: `order-<orderId>`. Its inverse is {@link orderIdFromWorkflowId}. */
export function orderWorkflowId(orderId: string): string {
  return `${WORKFLOW_ID_PREFIX}${orderId}`
}

/** The order id in an order's workflow id (`order-<orderId>`); null for any other workflow id. */
export function orderIdFromWorkflowId(workflowId: string): string | null {
  return workflowId.startsWith(WORKFLOW_ID_PREFIX) ? workflowId.slice(WORKFLOW_ID_PREFIX.length) : null
}

/**
 * The update id of a cancellation sent with a request key (the API's
 * optional Idempotency-Key): Temporal runs an update id once, so a retried
 * request cancels once and gets the first answer.
 */
export function cancelUpdateId(requestKey: string): string {
  return `cancel-${requestKey}`
}

/** The update id of an edit: the same key edits once. */
export function editUpdateId(requestKey: string): string {
  return `edit-${requestKey}`
}

/** The update id of a cash-on-delivery confirmation sent with a request key. */
export function confirmCodUpdateId(requestKey: string): string {
  return `confirm-cod-${requestKey}`
}

/**
 * The update id of a refund: scoped to the admin who asks, so two admins'
 * keys never collide, and the same key always refunds once, whether it comes
 * through the API's Idempotency-Key or the CLI's `--key`.
 */
export function refundUpdateId(adminId: string, key: string): string {
  return `refund-${adminId}-${key}`
}

/** Why the order refused an update, and, optionally, words for the person who asked. */
export interface UpdateRefusal {
  reason: string
  detail: string | null
}

/**
 * The failure an update validator (or handler) throws to refuse: read back
 * on the other side by {@link updateRefusalOf}.
 *
 * @example
 * ```ts
 * throw refuseUpdate('already_shipped', 'the carrier has the parcel')
 * ```
 */
export function refuseUpdate(reason: string, detail?: string): ApplicationFailure {
  const message = detail ? `${reason}: ${detail}` : reason
  return ApplicationFailure.create({
    type: UPDATE_REFUSED,
    message,
    details: detail ? [reason, detail] : [reason],
    nonRetryable: true,
  })
}

/**
 * The order's refusal behind a failed update (a `WorkflowUpdateFailedError`,
 * whose cause is the failure {@link refuseUpdate} made), or null when the
 * update failed for another reason.
 */
export function updateRefusalOf(error: unknown): UpdateRefusal | null {
  const failure = error instanceof Error && error.cause instanceof ApplicationFailure ? error.cause : null
  if (failure?.type !== UPDATE_REFUSED) return null
  const [reason, detail] = failure.details ?? []
  return {
    reason: typeof reason === 'string' ? reason : failure.message,
    detail: typeof detail === 'string' ? detail : null,
  }
}
