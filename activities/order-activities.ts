import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { Database } from '../db/schema.js'
import { createInventoryActivities } from './inventory.js'
import { createNotificationActivities } from './notifications.js'
import { createCodCollectionActivities } from './payments/cod-collections.js'
import { createPaymentActivities } from './payments/payment-activities.js'
import type { PaymentProvider } from './payments/payment-provider.js'
import { createPricingActivities } from './pricing.js'
import { createReadModelActivities } from './read-model.js'
import type { Carrier } from './shipping/carrier.js'
import { createShippingActivities } from './shipping/shipping-activities.js'

/** Everything the order activities talk to, injected by the worker. */
export interface OrderActivityDeps {
  db: Kysely<Database>
  payments: PaymentProvider
  /** The configured providers besides the default one (Stripe, PayPal). */
  paymentProviders?: readonly PaymentProvider[]
  carrier: Carrier
  logger: Logger
}

/**
 * Builds the activities of the order workflow from their dependencies.
 *
 * @example
 * ```ts
 * const activities = createOrderActivities({ db, payments, carrier, logger })
 * await Worker.create({ activities, ... })
 * ```
 */
export function createOrderActivities(deps: OrderActivityDeps) {
  return {
    ...createPricingActivities(deps),
    ...createInventoryActivities(deps),
    ...createPaymentActivities(deps),
    ...createCodCollectionActivities(deps),
    ...createShippingActivities(deps),
    ...createNotificationActivities(deps),
    ...createReadModelActivities(deps),
  }
}

export type OrderActivities = ReturnType<typeof createOrderActivities>
