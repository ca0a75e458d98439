/**
 * The workflow modules every workflow in a worker shares, loaded once.
 *
 * In the SDK's reusable V8 context each workflow evaluates every module it
 * imports for itself (its own module cache), so a parked order pays for a copy
 * of each module's exports, tables and closures. Modules that hold no state
 * of a workflow's own (the vocabulary, the rules, the summaries, the message
 * definitions) are preloaded instead: evaluated once when the worker starts,
 * deep-frozen, and shared (`bundlerOptions.preloadModules`). A module with
 * state of its own (`workflows/order/activity-proxies.ts`, the tracing
 * interceptor) must never be listed here.
 */
import { fileURLToPath } from 'node:url'

const sharedModules = [
  '../domain/carrier-progress.ts',
  '../domain/fulfilment.ts',
  '../domain/notifications.ts',
  '../domain/order-events.ts',
  '../domain/order-payment.ts',
  '../domain/order-pricing.ts',
  '../domain/order-rules.ts',
  '../domain/order-summaries.ts',
  '../domain/payment-windows.ts',
  '../domain/placed-order.ts',
  '../domain/returns.ts',
  '../domain/vocabulary.ts',
  '../workflows/messages.ts',
  '../workflows/update-inputs.ts',
  '../workflows/search-attributes.ts',
  '../workflows/processing-failure.ts',
  '../workflows/webhook-delivery-ids.ts',
  '../workflows/shipment/messages.ts',
  '../workflows/after-sales/messages.ts',
]

/** Absolute paths of the modules to preload, for `bundleWorkflowCode` and `WorkerOptions.bundlerOptions`. */
export const sharedWorkflowModules = sharedModules.map((path) => fileURLToPath(new URL(path, import.meta.url)))
