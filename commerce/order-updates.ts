import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client'
import { ApplicationFailure } from '@temporalio/common'
import {
  UPDATE_REFUSED,
  cancelOrderUpdate,
  confirmCodUpdate,
  orderWorkflowId,
  refundPaymentUpdate,
  statusQuery,
} from '../../workflows/messages.js'
import type { Actor, OrderState } from '../../domain/order-types.js'
import type { AppDeps } from '../app-deps.js'
import type { Principal } from '../auth.js'
import { orderViewFromRow, orderViewFromState } from '../order-view.js'
import { ApiProblem } from '../problem.js'
import { sendTemporalUpdate } from '../temporal-deadline.js'
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  releaseIdempotencyKey,
  unlockIdempotencyKey,
} from '../idempotency/idempotency-keys.js'
import { requestFingerprint } from '../idempotency/request-fingerprint.js'
import type { OrderView, RefundBody } from '../schemas.js'
import { canSeeOrder, orderNotFound } from './order-access.js'
import { findOrderRow, isOrderId } from './order-queries.js'

function actorOf(principal: Principal): Actor {
  return { type: principal.role, id: principal.subject }
}

/**
 * The order as it is now: the workflow's live state when it answers in time,
 * else the read model. Someone else's order does not exist for a customer.
 */
export async function readOrder(deps: AppDeps, principal: Principal, orderId: string): Promise<OrderView> {
  if (!isOrderId(orderId)) throw orderNotFound(orderId)
  const handle = deps.temporal.workflow.getHandle(orderWorkflowId(orderId))
  const live = await deps.temporal.connection
    .withDeadline(Date.now() + (deps.liveQueryTimeoutMs ?? 2_000), () => handle.query(statusQuery))
    .catch((error: unknown) => {
      if (!(error instanceof WorkflowNotFoundError))
        deps.logger.warn({ err: error, orderId }, 'live query failed; answering from the read model')
      return null
    })
  if (live) {
    if (!canSeeOrder(principal, live.customerId)) throw orderNotFound(orderId)
    return orderViewFromState(live)
  }
  const row = await findOrderRow(deps.db, orderId)
  if (!row || !canSeeOrder(principal, row.customer_id)) throw orderNotFound(orderId)
  return orderViewFromRow(row)
}

function refuseClosed(order: OrderView): never {
  throw new ApiProblem('order_update_refused', `The order is ${order.status.toLowerCase()} and closed`, {
    reason: 'order_closed',
  })
}

/** Sends an update to the order's workflow and maps its refusals to problems. */
async function updateOrder(
  deps: AppDeps,
  principal: Principal,
  orderId: string,
  send: () => Promise<OrderState>,
  whenClosed: (order: OrderView) => OrderView,
): Promise<OrderView> {
  const row = await findOrderRow(deps.db, orderId)
  if (!row || !canSeeOrder(principal, row.customer_id)) throw orderNotFound(orderId)
  try {
    return orderViewFromState(await sendTemporalUpdate(deps, send))
  } catch (error) {
    const refusal = error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure ? error.cause : null
    if (refusal?.type === UPDATE_REFUSED) {
      const reason = refusal.message
      if (reason === 'not_owner') throw orderNotFound(orderId)
      const words = typeof refusal.details?.[1] === 'string' ? `: ${refusal.details[1]}` : ''
      throw new ApiProblem('order_update_refused', `The order refused: ${reason.replaceAll('_', ' ')}${words}`, { reason })
    }
    if (error instanceof WorkflowNotFoundError) {
      const closed = await findOrderRow(deps.db, orderId)
      if (!closed) throw orderNotFound(orderId)
      return whenClosed(orderViewFromRow(closed))
    }
    throw error
  }
}

/** Cancels before pickup (owner or admin); refused with a reason afterwards. */
export function cancelOrder(
  deps: AppDeps,
  principal: Principal,
  orderId: string,
  options: { note: string | null; requestKey: string | null },
): Promise<OrderView> {
  const handle = deps.temporal.workflow.getHandle(orderWorkflowId(orderId))
  return updateOrder(
    deps,
    principal,
    orderId,
    () =>
      handle.executeUpdate(cancelOrderUpdate, {
        args: [{ actor: actorOf(principal), note: options.note }],
        ...(options.requestKey ? { updateId: `cancel-${options.requestKey}` } : {}),
      }),
    (order) => (order.status === 'CANCELLED' ? order : refuseClosed(order)),
  )
}

/** An admin confirms a cash-on-delivery order. */
export function confirmCashOnDelivery(
  deps: AppDeps,
  principal: Principal,
  orderId: string,
  options: { requestKey: string | null },
): Promise<OrderView> {
  const handle = deps.temporal.workflow.getHandle(orderWorkflowId(orderId))
  return updateOrder(
    deps,
    principal,
    orderId,
    () =>
      handle.executeUpdate(confirmCodUpdate, {
        args: [{ actor: actorOf(principal) }],
        ...(options.requestKey ? { updateId: `confirm-cod-${options.requestKey}` } : {}),
      }),
    refuseClosed,
  )
}

/**
 * An admin refunds part or all of a captured payment. The Idempotency-Key
 * makes it safe to retry: the same request answers the first refund (and is
 * the Temporal update id, so even a request that crashed half-way refunds
 * once); another request under the key is 422.
 */
export async function refundPayment(
  deps: AppDeps,
  principal: Principal,
  orderId: string,
  options: { body: RefundBody; idempotencyKey: string },
): Promise<{ order: OrderView; replayed: boolean }> {
  if (!isOrderId(orderId)) throw orderNotFound(orderId)
  const { body, idempotencyKey } = options
  const claim = await claimIdempotencyKey(deps.db, {
    principal,
    key: idempotencyKey,
    fingerprint: requestFingerprint({ refund: orderId, ...body }),
    orderId,
  })
  if (claim.kind === 'answered') return { order: claim.body as unknown as OrderView, replayed: true }
  const handle = deps.temporal.workflow.getHandle(orderWorkflowId(orderId))
  try {
    const order = await updateOrder(
      deps,
      principal,
      orderId,
      () =>
        handle.executeUpdate(refundPaymentUpdate, {
          args: [{ actor: actorOf(principal), amount: body.amount, reason: body.reason, note: body.note ?? null }],
          updateId: `refund-${principal.subject}-${idempotencyKey}`,
        }),
      (closed) => {
        if (closed.status !== 'DELIVERED') return refuseClosed(closed)
        throw new ApiProblem('order_update_refused', 'The refund window of this order has closed', {
          reason: 'refund_window_closed',
        })
      },
    )
    await completeIdempotencyKey(deps.db, claim, { status: 200, body: order })
    return { order, replayed: false }
  } catch (error) {
    // A refusal changed nothing: the key is free for a corrected request. After any other failure a retry takes it over.
    if (error instanceof ApiProblem) await releaseIdempotencyKey(deps.db, claim).catch(() => undefined)
    else await unlockIdempotencyKey(deps.db, claim).catch(() => undefined)
    throw error
  }
}
