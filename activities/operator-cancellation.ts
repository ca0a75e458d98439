import { Context } from '@temporalio/activity'
import { orderWorkflowId } from '../workflows/messages.js'

/** Who asked Temporal to cancel an order's workflow, and why, as its history recorded it. */
export interface CancelRequestInfo {
  /** The Temporal identity that asked (the CLI's and the SDK clients' `pid@host`, the Web UI's user). */
  identity: string | null
  /** The reason the operator gave, where the tool asks for one. */
  reason: string | null
}

export function createOperatorCancellationActivities() {
  return {
    /**
     * Reads, from the calling workflow's own history, the last
     * `WorkflowExecutionCancelRequested` event: Temporal does not hand its
     * identity and reason to workflow code. Read-only, through the worker's
     * own client, so it needs no deployment of its own.
     */
    async describeCancelRequest(input: { orderId: string }): Promise<CancelRequestInfo> {
      const context = Context.current()
      const runId = context.info.workflowExecution?.runId
      const history = await context.client.workflow.getHandle(orderWorkflowId(input.orderId), runId).fetchHistory()
      const requests = (history.events ?? []).flatMap((event) => event.workflowExecutionCancelRequestedEventAttributes ?? [])
      const last = requests.at(-1)
      return { identity: last?.identity || null, reason: last?.cause || null }
    },
  }
}
