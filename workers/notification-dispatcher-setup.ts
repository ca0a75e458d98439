import type { Client } from '@temporalio/client'
import type { Logger } from 'pino'
import type { notificationDispatcherWorkflow } from '../workflows/index.js'

/** The dispatcher's workflow id on a task queue: one dispatcher per queue. */
export function notificationDispatcherId(taskQueue: string): string {
  return `notification-dispatcher-${taskQueue}`
}

/**
 * Starts the notification dispatcher of `taskQueue` unless it is running
 * (then it is left as it is): safe at every worker start.
 */
export async function ensureNotificationDispatcher(
  client: Client,
  options: { taskQueue: string; logger: Logger },
): Promise<void> {
  const workflowId = notificationDispatcherId(options.taskQueue)
  await client.workflow.start<typeof notificationDispatcherWorkflow>('notificationDispatcherWorkflow', {
    workflowId,
    taskQueue: options.taskQueue,
    args: [],
    workflowIdConflictPolicy: 'USE_EXISTING',
  })
  options.logger.info({ workflowId }, 'notification dispatcher running')
}
