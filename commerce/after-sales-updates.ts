/**
 * Sending an update to an order's after-sales workflow, once: started on
 * demand with Update-with-Start (conflict policy USE_EXISTING) from the
 * order as the read model has it, so the first after-sales request starts
 * it and every later one joins it. The API's use cases and the CLI send
 * through these functions, with the update ids of `workflows/after-sales/messages.ts`.
 */
import { type Client, WithStartWorkflowOperation, WorkflowNotFoundError } from '@temporalio/client'
import type { UpdateDefinition } from '@temporalio/common'
import type { Kysely } from '../db/connection.js'
import { type OrderRow, findOrderRow, listOrderTimeline } from '../db/order-queries.js'
import type { Database } from '../db/schema.js'
import type { Actor, OrderState } from '../domain/order-types.js'
import { type AfterSalesInput, afterSalesOrderOf, afterSalesWorkflowId } from '../domain/returns.js'
import type { afterSalesWorkflow } from '../workflows/after-sales/after-sales-workflow.js'
import { updateRefusalOf } from '../workflows/messages.js'
import { CustomerIdKey, OrderIdKey } from '../workflows/search-attributes.js'
import { OrderNotFound, OrderUpdateRefused } from './commerce-errors.js'
import { type TemporalUpdateDeps, sendTemporalUpdate } from './temporal-deadline.js'

/** What sending an after-sales update needs: the read model, Temporal, the task queue, and the returns policy. */
export interface AfterSalesDeps extends TemporalUpdateDeps {
  db: Kysely<Database>
  taskQueue: string
  /** RETURN_WINDOW; the workflow's default (30 days) when omitted. */
  returnWindowMs?: number
  /** RETURN_SHIP_DEADLINE; the workflow's default (14 days) when omitted. */
  returnShipDeadlineMs?: number
}

/** The order's state as the read model has it: its row and its whole timeline. */
export async function orderStateFromReadModel(db: Kysely<Database>, row: OrderRow): Promise<OrderState> {
  const timeline = await listOrderTimeline(db, row.id)
  return {
    orderId: row.id,
    customerId: row.customer_id,
    status: row.status,
    paymentStatus: row.payment_status,
    fulfillmentStatus: row.fulfillment_status,
    paymentMethod: row.payment_method,
    lines: row.lines,
    totals: { currency: row.currency, subtotal: row.subtotal, shipping: row.shipping, total: row.total },
    shippingAddress: row.shipping_address,
    payment: row.payment,
    shipment: row.shipment,
    cancellation: row.cancellation,
    codConfirmationDeadline: row.cod_confirmation_deadline?.toISOString() ?? null,
    timeline: timeline.map((entry) => ({
      seq: entry.seq,
      at: entry.occurred_at.toISOString(),
      actor: { type: entry.actor_type as Actor['type'], id: entry.actor_id },
      type: entry.type,
      message: entry.message,
      data: entry.data,
    })),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: row.version,
  }
}

/** The input an order's after-sales workflow starts with, read from the order's read model. */
export async function afterSalesInputOf(deps: AfterSalesDeps, row: OrderRow): Promise<AfterSalesInput> {
  return {
    order: afterSalesOrderOf(await orderStateFromReadModel(deps.db, row)),
    ...(deps.returnWindowMs !== undefined ? { returnWindowMs: deps.returnWindowMs } : {}),
    ...(deps.returnShipDeadlineMs !== undefined ? { returnShipDeadlineMs: deps.returnShipDeadlineMs } : {}),
  }
}

/** The refusal of an after-sales update, in the words `problem.ts` answers with (409 and the reason). */
export function afterSalesRefusalOf(error: unknown): OrderUpdateRefused | null {
  const refusal = updateRefusalOf(error)
  if (!refusal) return null
  const words = refusal.detail !== null ? `: ${refusal.detail}` : ''
  return new OrderUpdateRefused(refusal.reason, `Refused: ${refusal.reason.replaceAll('_', ' ')}${words}`)
}

/**
 * Sends `update` to the order's after-sales workflow, starting it first when
 * it is not running (Update-with-Start, USE_EXISTING: concurrent first
 * requests start one workflow), under the update deadline.
 *
 * @throws OrderNotFound (no row), OrderUpdateRefused, OrderUpdateTimedOut
 */
export async function sendAfterSalesUpdateWithStart<Ret, Args extends [unknown, ...unknown[]]>(
  deps: AfterSalesDeps,
  order: OrderRow,
  update: UpdateDefinition<Ret, Args>,
  options: { args: Args; updateId: string },
): Promise<Ret> {
  const input = await afterSalesInputOf(deps, order)
  const startWorkflowOperation = new WithStartWorkflowOperation<typeof afterSalesWorkflow>('afterSalesWorkflow', {
    workflowId: afterSalesWorkflowId(order.id),
    taskQueue: deps.taskQueue,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
    staticSummary: `After-sales of order ${order.id}`,
    typedSearchAttributes: [
      { key: OrderIdKey, value: order.id },
      { key: CustomerIdKey, value: order.customer_id },
    ],
  })
  try {
    return await sendTemporalUpdate(deps, () =>
      deps.temporal.workflow.executeUpdateWithStart(update, { ...options, startWorkflowOperation }),
    )
  } catch (error) {
    throw afterSalesRefusalOf(error) ?? error
  }
}

/**
 * Sends `update` to the order's after-sales workflow when it runs; a
 * workflow that has closed (or never started) answers `after_sales_closed`.
 *
 * @throws OrderUpdateRefused, OrderUpdateTimedOut
 */
export async function sendAfterSalesUpdate<Ret, Args extends [unknown, ...unknown[]]>(
  deps: TemporalUpdateDeps & { temporal: Client },
  orderId: string,
  update: UpdateDefinition<Ret, Args>,
  options: { args: Args; updateId: string },
): Promise<Ret> {
  try {
    return await sendTemporalUpdate(deps, () =>
      deps.temporal.workflow.getHandle(afterSalesWorkflowId(orderId)).executeUpdate(update, options),
    )
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) {
      throw new OrderUpdateRefused('after_sales_closed', "The order's after-sales has closed: nothing is pending on it")
    }
    throw afterSalesRefusalOf(error) ?? error
  }
}

/** The order's row, or OrderNotFound. */
export async function orderRowOrNotFound(db: Kysely<Database>, orderId: string): Promise<OrderRow> {
  const row = await findOrderRow(db, orderId)
  if (!row) throw new OrderNotFound(orderId)
  return row
}
