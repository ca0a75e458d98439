import { WithStartWorkflowOperation, WorkflowIdConflictPolicy } from '@temporalio/client'
import type { UpdateDefinition } from '@temporalio/common'
import type { OrderState } from '../../domain/order-types.js'
import { afterSalesOrderOf, afterSalesWorkflowId } from '../../domain/returns.js'
import type { afterSalesWorkflow } from '../../workflows/after-sales/after-sales-workflow.js'
import type { TestServices } from './services.js'

/**
 * Sends an after-sales update as the API's use cases do: Update-with-Start of
 * the order's after-sales workflow (started from the order's final state if it
 * is not running, joined if it is).
 */
export async function askAfterSales<Ret, Args extends [unknown]>(
  services: TestServices,
  order: OrderState,
  update: UpdateDefinition<Ret, Args>,
  arg: Args[0],
  options: { returnWindowMs?: number; returnShipDeadlineMs?: number; updateId?: string } = {},
): Promise<Ret> {
  const { updateId, ...windows } = options
  const startWorkflowOperation = new WithStartWorkflowOperation<typeof afterSalesWorkflow>('afterSalesWorkflow', {
    workflowId: afterSalesWorkflowId(order.orderId),
    taskQueue: services.taskQueue,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    args: [{ order: afterSalesOrderOf(order), returnWindowMs: 60_000, returnShipDeadlineMs: 60_000, ...windows }],
  })
  return services.client.workflow.executeUpdateWithStart(update, {
    args: [arg] as unknown as Args,
    startWorkflowOperation,
    ...(updateId ? { updateId } : {}),
  })
}
