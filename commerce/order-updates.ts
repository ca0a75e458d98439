/**
 * Sending an admin's or customer's update to an order's workflow, once: the
 * update ids and the refusal codec come from `workflows/messages.ts`, and
 * the API's use cases and the CLI send through these same functions.
 */
import { type Client, WorkflowNotFoundError } from '@temporalio/client'
import type { Kysely } from '../db/connection.js'
import { findOrderRow } from '../db/order-queries.js'
import { saveAnsweredOrder } from '../db/order-read-model.js'
import type { Database } from '../db/schema.js'
import type { Actor, OrderState } from '../domain/order-types.js'
import type { RefundReason } from '../domain/vocabulary.js'
import type { OrderEditRequest } from '../domain/fulfilment.js'
import {
  cancelOrderUpdate,
  cancelUpdateId,
  confirmCodUpdate,
  confirmCodUpdateId,
  editOrderUpdate,
  editUpdateId,
  orderWorkflowId,
  refundPaymentUpdate,
  refundUpdateId,
  updateRefusalOf,
} from '../workflows/messages.js'
import type { OrderView } from '../api/schemas/orders.js'
import type { Caller } from './caller.js'
import { OrderNotFound, OrderUpdateRefused } from './commerce-errors.js'
import { findVisibleOrder } from './read-order.js'
import { orderViewFromRow } from './order-view.js'
import { type TemporalUpdateDeps, sendTemporalUpdate } from './temporal-deadline.js'

/**
 * Asks the order's workflow to cancel (only the parcels `shipmentIds` names,
 * when given); `requestKey` makes a retry cancel once.
 */
export function sendCancellation(
  temporal: Client,
  orderId: string,
  request: { actor: Actor; note: string | null; requestKey: string | null; shipmentIds?: string[] | undefined },
): Promise<OrderState> {
  return temporal.workflow.getHandle(orderWorkflowId(orderId)).executeUpdate(cancelOrderUpdate, {
    args: [
      {
        actor: request.actor,
        note: request.note,
        ...(request.shipmentIds === undefined ? {} : { shipmentIds: request.shipmentIds }),
      },
    ],
    ...(request.requestKey ? { updateId: cancelUpdateId(request.requestKey) } : {}),
  })
}

/** Asks the order's workflow to apply an edit; its `editId` (the caller's scoped key) is the update id, so it applies once. */
export function sendEdit(temporal: Client, orderId: string, request: OrderEditRequest): Promise<OrderState> {
  return temporal.workflow.getHandle(orderWorkflowId(orderId)).executeUpdate(editOrderUpdate, {
    args: [request],
    updateId: editUpdateId(request.editId),
  })
}

/** Asks the order's workflow to take an admin's cash-on-delivery confirmation; `requestKey` makes a retry confirm once. */
export function sendCodConfirmation(
  temporal: Client,
  orderId: string,
  request: { actor: Actor; requestKey: string | null },
): Promise<OrderState> {
  return temporal.workflow.getHandle(orderWorkflowId(orderId)).executeUpdate(confirmCodUpdate, {
    args: [{ actor: request.actor }],
    ...(request.requestKey ? { updateId: confirmCodUpdateId(request.requestKey) } : {}),
  })
}

/** Asks the order's workflow to refund; the same admin and key refund once (the key is the update id). */
export function sendRefund(
  temporal: Client,
  orderId: string,
  request: { actor: Actor; amount: number; reason: RefundReason; note: string | null; key: string },
): Promise<OrderState> {
  return temporal.workflow.getHandle(orderWorkflowId(orderId)).executeUpdate(refundPaymentUpdate, {
    args: [{ actor: request.actor, amount: request.amount, reason: request.reason, note: request.note }],
    updateId: refundUpdateId(request.actor.id ?? '', request.key),
  })
}

/** What an order update needs: the read model (who may see the order) and Temporal. */
export interface OrderUpdateDeps extends TemporalUpdateDeps {
  db: Kysely<Database>
}

/** The refusal of an update sent to an order whose workflow has ended. */
export function closedOrderRefusal(order: OrderView): OrderUpdateRefused {
  return new OrderUpdateRefused('order_closed', `The order is ${order.status.toLowerCase()} and closed`)
}

/**
 * Sends an update to the order's workflow (if the caller may see the order)
 * and turns its refusals into {@link OrderUpdateRefused}. When the workflow
 * has ended, `whenClosed` says what the order as last recorded answers.
 * The order the workflow answered is written to the read model before it is
 * returned (or the newer row the worker wrote already is returned instead),
 * so the caller's next read is never older than this answer.
 *
 * @throws OrderNotFound, OrderUpdateRefused, OrderUpdateTimedOut
 */
export async function updateOrder(
  deps: OrderUpdateDeps,
  caller: Caller,
  orderId: string,
  send: () => Promise<OrderState>,
  whenClosed: (order: OrderView) => OrderView,
): Promise<OrderView> {
  await findVisibleOrder(deps.db, caller, orderId)
  let answered: OrderState
  try {
    answered = await sendTemporalUpdate(deps, send)
  } catch (error) {
    const refusal = updateRefusalOf(error)
    if (refusal) {
      const { reason } = refusal
      if (reason === 'not_owner') throw new OrderNotFound(orderId)
      const words = refusal.detail !== null ? `: ${refusal.detail}` : ''
      throw new OrderUpdateRefused(reason, `The order refused: ${reason.replaceAll('_', ' ')}${words}`)
    }
    if (error instanceof WorkflowNotFoundError) {
      const closed = await findOrderRow(deps.db, orderId)
      if (!closed) throw new OrderNotFound(orderId)
      return whenClosed(orderViewFromRow(closed))
    }
    throw error
  }
  // Written before it is answered, so no later read of this order is older than this answer.
  return orderViewFromRow(await saveAnsweredOrder(deps.db, answered))
}
