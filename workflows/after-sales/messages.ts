/**
 * The after-sales workflow's messages (one workflow per order,
 * `afterSalesWorkflowId(orderId)`), shared by the workflow, the API and the
 * CLI. Only `@temporalio/workflow` definitions: safe in a Node process.
 *
 * The API starts the workflow with Update-with-Start (conflict policy
 * USE_EXISTING) on the first after-sales request, with an
 * {@link AfterSalesInput} (`afterSalesOrderOf` of the order's state).
 * Refusals are `refuseUpdate(reason)` failures (`updateRefusalOf` reads
 * them); the reasons are `afterSalesRefusals`.
 *
 * @example
 * ```sh
 * temporal workflow query --workflow-id order-<id>-aftersales --type afterSales
 * ```
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow'
import type { Actor, CarrierEvent } from '../../domain/order-types.js'
import type { AfterSalesState, ReceivedLine, ReturnLine, ReturnState } from '../../domain/returns.js'
import type { RefundPaymentRequest } from '../messages.js'

export type { AfterSalesInput } from '../../domain/returns.js'
export type { RefundPaymentRequest } from '../messages.js'

/** The order's after-sales as a whole: returns, refunds, COD refunds owed, the window. Read-only. */
export const afterSalesQuery = defineQuery<AfterSalesState>('afterSales')

export interface ReturnRequest {
  /** The return's id, chosen by the caller (a UUID): `/v1/returns/{id}`. */
  returnId: string
  /** The order's customer, or an admin. */
  actor: Actor
  lines: ReturnLine[]
  note: string | null
  /** Replacement lines instead of money (an exchange); priced from the catalog in the order's currency. */
  exchange?: { sku: string; quantity: number }[] | null | undefined
}

/**
 * Asks to return lines of a delivered order, within the return window, never
 * more than was delivered less what is already being returned. Answers with
 * the return, REQUESTED. Refused: `not_delivered`, `return_window_closed`,
 * `unknown_sku`, `more_than_delivered`, `exchange_not_allowed`, `invalid_input`.
 * Send with {@link returnUpdateId}.
 */
export const requestReturnUpdate = defineUpdate<ReturnState, [ReturnRequest]>('requestReturn')

/** An admin's decision on a requested return. */
export interface ReturnDecision {
  returnId: string
  actor: Actor
  note: string | null
}

/** Approves a REQUESTED return: a return label is bought; answers with the return, APPROVED, label on it. */
export const approveReturnUpdate = defineUpdate<ReturnState, [ReturnDecision]>('approveReturn')

/** Rejects a REQUESTED return; answers with the return, REJECTED. */
export const rejectReturnUpdate = defineUpdate<ReturnState, [ReturnDecision]>('rejectReturn')

/** What arrived at the warehouse for a return. */
export interface ReturnReceipt {
  returnId: string
  actor: Actor
  /** At most what the return asked for, sku by sku; lines not listed did not arrive. */
  lines: ReceivedLine[]
  note: string | null
}

/**
 * An admin records what arrived (APPROVED or IN_TRANSIT): resellable units go
 * back on the shelf, the rest are written off, the received lines are refunded
 * at the price paid (or the exchange ships). Answers with the return, REFUNDED
 * (or RECEIVED while a COD refund is owed, then REFUNDED when settled).
 */
export const receiveReturnUpdate = defineUpdate<ReturnState, [ReturnReceipt]>('receiveReturn')

/** A carrier tracking event on a return parcel (its tracking number names the return); repeats change nothing. */
export const returnCarrierEventSignal = defineSignal<[CarrierEvent]>('returnCarrierEvent')

/**
 * A goodwill refund once the order's workflow has closed: the same request,
 * refusals (`not_admin`, `not_refundable`, `exceeds_refundable`,
 * `invalid_amount`) and update id (`refundUpdateId`) as the order's own
 * `refundPayment`. Answers with the after-sales state once refunded.
 */
export const afterSalesRefundUpdate = defineUpdate<AfterSalesState, [RefundPaymentRequest]>('refundPayment')

/** An admin records the bank transfer of a COD refund owed. */
export interface SettleCodRefundRequest {
  /** `cod-refund-<n>`, from `codRefundsOwed`. */
  codRefundId: string
  actor: Actor
  /** The bank transfer's reference. */
  reference: string | null
  note: string | null
}

/** Settles a COD refund owed; refused: `not_admin`, `cod_refund_not_found`, `already_settled`. */
export const settleCodRefundUpdate = defineUpdate<AfterSalesState, [SettleCodRefundRequest]>('settleCodRefund')

/** The update id of a return request sent with a request key: the same key asks once. */
export function returnUpdateId(requestKey: string): string {
  return `return-${requestKey}`
}

/** The update id of an admin's act on a return (approve, reject, receive) with a request key. */
export function returnActUpdateId(act: 'approve' | 'reject' | 'receive', returnId: string, requestKey: string): string {
  return `${act}-${returnId}-${requestKey}`
}

/** The update id of a COD refund settlement: one per COD refund owed. */
export function settleCodRefundUpdateId(codRefundId: string): string {
  return `settle-${codRefundId}`
}
