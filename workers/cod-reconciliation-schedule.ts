import { type Client, ScheduleAlreadyRunning } from '@temporalio/client'
import type { Logger } from 'pino'

export const COD_RECONCILIATION_SCHEDULE_ID = 'cod-reconciliation-daily'

export interface CodReconciliationScheduleOptions {
  taskQueue: string
  logger: Logger
  /** Another id, for tests; the daily one by default. */
  scheduleId?: string
}

/**
 * Creates the daily cash-on-delivery reconciliation schedule (06:00 UTC) if it
 * does not exist yet. Safe at every worker start: an existing schedule is left as it is.
 */
export async function ensureCodReconciliationSchedule(
  client: Client,
  options: CodReconciliationScheduleOptions,
): Promise<'created' | 'existing'> {
  const scheduleId = options.scheduleId ?? COD_RECONCILIATION_SCHEDULE_ID
  try {
    await client.schedule.create({
      scheduleId,
      spec: { calendars: [{ hour: 6, minute: 0, comment: 'daily at 06:00 UTC' }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'codReconciliationWorkflow',
        workflowId: `${scheduleId}-run`,
        taskQueue: options.taskQueue,
        args: [],
        staticSummary: 'Daily cash-on-delivery reconciliation: COD orders delivered and not yet settled with the carrier',
      },
      policies: { overlap: 'SKIP', catchupWindow: '1 day' },
    })
    options.logger.info({ scheduleId }, 'COD reconciliation schedule created')
    return 'created'
  } catch (error) {
    if (error instanceof ScheduleAlreadyRunning) return 'existing'
    throw error
  }
}
