/**
 * Publishes order events the way the outbox dispatcher will: a workflow on a
 * worker of its own calls the order worker's `publishOrderEvent` activity
 * through Temporal.
 */
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import type { Client } from '@temporalio/client'
import { Worker } from '@temporalio/worker'
import type { OrderEventInput } from '../../activities/webhook-activities.js'
import { orderEngineDataConverter } from '../../temporal/data-converter.js'
import { connectWorkerToTemporal } from '../../temporal/worker-connection.js'
import type { publishOrderEventsWorkflow } from './order-event-publisher-workflow.js'
import { testPayloadKeys, testTemporal } from './services.js'

export interface OrderEventPublisher {
  /** Publishes the events in order, through the order worker on `orderWorkerTaskQueue`; returns what each call answered. */
  publish(
    orderWorkerTaskQueue: string,
    events: OrderEventInput[],
  ): Promise<Array<{ recorded: boolean; deliveriesStarted: number }>>
  close(): Promise<void>
}

export async function startOrderEventPublisher(client: Client): Promise<OrderEventPublisher> {
  const connection = await connectWorkerToTemporal(testTemporal())
  const taskQueue = `test-publisher-${randomUUID()}`
  const worker = await Worker.create({
    connection,
    namespace: 'default',
    taskQueue,
    workflowsPath: fileURLToPath(new URL('./order-event-publisher-workflow.ts', import.meta.url)),
    dataConverter: orderEngineDataConverter(testPayloadKeys),
  })
  const running = worker.run()
  return {
    publish: (orderWorkerTaskQueue, events) =>
      client.workflow.execute<typeof publishOrderEventsWorkflow>('publishOrderEventsWorkflow', {
        workflowId: `publish-order-events-${randomUUID()}`,
        taskQueue,
        args: [{ orderWorkerTaskQueue, events }],
      }),
    async close() {
      worker.shutdown()
      await running
      await connection.close()
    },
  }
}
