import type { Migration } from 'kysely'
import * as initial from './2026-11-21-001-initial.js'
import * as readSide from './2026-11-21-002-read-side.js'
import * as apiHardening from './2026-11-21-003-api-hardening.js'
import * as payments from './2026-11-21-004-payments.js'
import * as refundsAndCodProblems from './2026-11-21-005-refunds-and-cod-problems.js'
import * as processingFailures from './2026-12-01-006-processing-failures.js'
import * as notificationDelivery from './2026-12-01-007-notification-delivery.js'
import * as webhooks from './2026-12-01-008-webhooks.js'
import * as stockLocations from './2026-12-01-009-stock-locations.js'
import * as returns from './2026-12-01-010-returns.js'

/**
 * Every migration, in order, listed here rather than read from the folder at
 * run time, so they load the same under tsx, vitest and a bundler.
 * Add a new file with a date prefix and list it below; never edit an old one.
 */
export const migrations: Record<string, Migration> = {
  '2026-11-21-001-initial': initial,
  '2026-11-21-002-read-side': readSide,
  '2026-11-21-003-api-hardening': apiHardening,
  '2026-11-21-004-payments': payments,
  '2026-11-21-005-refunds-and-cod-problems': refundsAndCodProblems,
  '2026-12-01-006-processing-failures': processingFailures,
  '2026-12-01-007-notification-delivery': notificationDelivery,
  '2026-12-01-008-webhooks': webhooks,
  '2026-12-01-009-stock-locations': stockLocations,
  '2026-12-01-010-returns': returns,
}
