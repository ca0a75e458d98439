import type { OrderEvent } from '../domain/order-events.js'
import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { Database } from '../db/schema.js'
import { failingForGoodAtOnce } from './failure-classification.js'
import { createInventoryActivities } from './inventory.js'
import type { Mailer } from '../adapters/email/mailer.js'
import { type NotificationChannel, createNotificationChannels } from './notification-channels.js'
import { createNotificationDeliveryActivities } from './notification-delivery.js'
import { createNotificationActivities } from './notifications.js'
import { createOperatorCancellationActivities } from './operator-cancellation.js'
import { createCodCollectionActivities } from './payments/cod-collections.js'
import { createPaymentActivities } from './payments/payment-activities.js'
import type { PaymentProvider } from '../adapters/payments/payment-provider.js'
import { createPricingActivities } from './pricing.js'
import { createReadModelActivities } from './read-model.js'
import { createAfterSalesReadModelActivities } from './after-sales-read-model.js'
import type { Carrier } from '../adapters/shipping/carrier.js'
import { createShippingActivities } from './shipping/shipping-activities.js'

/** Everything the order activities talk to, injected by the worker. */
export interface OrderActivityDeps {
  db: Kysely<Database>
  payments: PaymentProvider
  /** The configured providers besides the default one (Stripe, PayPal). */
  paymentProviders?: readonly PaymentProvider[]
  carrier: Carrier
  logger: Logger
  /** Where notification mails go; without one the email channel skips every mail, saying so. */
  mailer?: Mailer | null
  /** Hands an order event to outbound webhooks (the webhook activities' `publishOrderEvent`); none: no webhooks channel. */
  publishOrderEvent?: (event: OrderEvent) => Promise<unknown>
  /** The channels notifications are delivered on; email and the order's event stream by default. */
  notificationChannels?: Record<string, NotificationChannel>
}

/**
 * Builds the activities of the order workflow from their dependencies. A
 * failure that retrying cannot mend (Postgres refusing the data, a constraint
 * the code did not expect) fails at once as `ProcessingFailed`; see
 * `failure-classification.ts`.
 *
 * @example
 * ```ts
 * const activities = createOrderActivities({ db, payments, carrier, logger })
 * await Worker.create({ activities, ... })
 * ```
 */
export function createOrderActivities(deps: OrderActivityDeps) {
  const activities = {
    ...createPricingActivities(deps),
    ...createInventoryActivities(deps),
    ...createPaymentActivities(deps),
    ...createCodCollectionActivities(deps),
    ...createShippingActivities(deps),
    ...createNotificationActivities(deps),
    ...createNotificationDeliveryActivities({
      db: deps.db,
      logger: deps.logger,
      channels:
        deps.notificationChannels ??
        createNotificationChannels({
          db: deps.db,
          logger: deps.logger,
          mailer: deps.mailer ?? null,
          ...(deps.publishOrderEvent ? { publishOrderEvent: deps.publishOrderEvent } : {}),
        }),
    }),
    ...createReadModelActivities(deps),
    ...createAfterSalesReadModelActivities(deps),
    ...createOperatorCancellationActivities(),
  }
  return failingForGoodAtOnce(activities, deps.logger)
}

export type OrderActivities = ReturnType<typeof createOrderActivities>
