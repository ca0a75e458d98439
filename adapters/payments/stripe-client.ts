import Stripe from 'stripe'

export interface StripeClientOptions {
  secretKey: string
  /** Another Stripe API to talk to (stripe-mock, a fake in tests), as `http://127.0.0.1:12111`; Stripe itself when null. */
  apiBase?: string | null
  /** The SDK's own retries; Temporal retries our activities, so none by default. */
  maxNetworkRetries?: number
  timeoutMs?: number
}

/**
 * A Stripe SDK client, pointed at Stripe or at a stand-in API.
 *
 * @example
 * ```ts
 * const stripe = createStripeClient({ secretKey: config.payments.stripe.secretKey, apiBase: 'http://127.0.0.1:12111' })
 * ```
 */
export function createStripeClient(options: StripeClientOptions): Stripe {
  const base = options.apiBase ? new URL(options.apiBase) : null
  return new Stripe(options.secretKey, {
    maxNetworkRetries: options.maxNetworkRetries ?? 0,
    timeout: options.timeoutMs ?? 20_000,
    appInfo: { name: 'order-engine' },
    ...(base
      ? {
          host: base.hostname,
          port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
          protocol: base.protocol === 'https:' ? ('https' as const) : ('http' as const),
        }
      : {}),
  })
}
