/**
 * The after-sales workflow replays its recorded histories on today's code. It
 * stays open for the return window (30 days by default) and while a return or
 * a COD refund owed waits for someone, so a change that issues other commands
 * than one of these histories recorded would break a running one at its next
 * worker restart. The histories in `tests/histories/after-sales/` were
 * recorded from real runs on the test stack; the README there says how.
 */
import { temporal } from '@temporalio/proto'
import { expect } from 'vitest'
import { installTemporalLogging } from '../logger.js'
import { type History, describeRecordedHistories, recordedOpen } from './support/recorded-histories.js'
import { logger } from './support/services.js'

const { EventType } = temporal.api.enums.v1

interface RecordedRun {
  /** Still running when recorded (the return window still open). */
  open?: boolean
  /** The activities the history scheduled, in order, leaving out `recordAfterSales` (the read-model write after each step). */
  steps: string[]
}

/** Every file in `tests/histories/after-sales/`, with what it holds; a new history needs its entry here. */
const recorded: Record<string, RecordedRun> = {
  // Recorded from the commit that added the after-sales workflow (README there).
  '2026-12-01-after-sales-card-return-of-two-lines-approved-carried-received-refunded-open.json': {
    open: true,
    steps: ['createReturnLabel', 'restockReturnedLines', 'refundPayment'],
  },
  '2026-12-01-after-sales-cod-return-owed-then-settled-open.json': {
    open: true,
    steps: ['createReturnLabel', 'restockReturnedLines'],
  },
  '2026-12-01-after-sales-exchange-for-a-cheaper-line-shipped-difference-refunded-open.json': {
    open: true,
    steps: [
      'priceOrder',
      'priceOrder',
      'createReturnLabel',
      'restockReturnedLines',
      'reserveStock',
      'commitStock',
      'createShipment',
      'refundPayment',
    ],
  },
  '2026-12-01-after-sales-goodwill-refund-after-the-order-closed-open.json': {
    open: true,
    steps: ['refundPayment'],
  },
  '2026-12-01-after-sales-return-received-refund-refused-by-the-provider-closed-open.json': {
    open: true,
    steps: ['createReturnLabel', 'restockReturnedLines', 'refundPayment'],
  },
  '2026-12-01-after-sales-return-rejected-then-one-not-shipped-closed-by-itself-window-passed.json': {
    steps: ['createReturnLabel'],
  },
}

const folder = new URL('./histories/after-sales/', import.meta.url)

function scheduledSteps(history: History): string[] {
  return history.events
    .map((event) => event.activityTaskScheduledEventAttributes?.activityType?.name)
    .filter((name): name is string => typeof name === 'string' && name !== 'recordAfterSales')
}

installTemporalLogging(logger, { level: 'ERROR' })

describeRecordedHistories('histories recorded from the after-sales workflow', folder, recorded, (history, expected) => {
  expect(history.events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name).toBe('afterSalesWorkflow')
  if (expected.open) expect(recordedOpen(history)).toBe(true)
  else expect(history.events.at(-1)?.eventType).toBe(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)
  expect(scheduledSteps(history)).toEqual(expected.steps)
})
