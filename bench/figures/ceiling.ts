/** The ceiling: how many raw starts of an empty workflow per second the same server takes, 32 in flight. */
import { randomUUID } from 'node:crypto'
import type { BenchStack } from '../bench-stack.js'
import { closedLoop } from '../load.js'

/** Raw starts of `emptyWorkflow` per second (each start answered; the baselines' worker runs them). */
export async function emptyWorkflowStartsPerSecond(stack: BenchStack, count: number): Promise<number> {
  const result = await closedLoop({ count, inFlight: 32 }, () =>
    stack.client.workflow.start('emptyWorkflow', { workflowId: `empty-${randomUUID()}`, taskQueue: stack.baselineQueue }),
  )
  if (result.failures > 0) throw new Error(`empty workflow starts: ${result.failures} failed: ${result.firstError}`)
  return result.throughput
}
