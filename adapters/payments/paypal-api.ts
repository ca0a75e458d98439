import { Client, Environment, OrdersController, PaymentsController, type OAuthToken } from '@paypal/paypal-server-sdk'

export interface PayPalApiProps {
  clientId: string
  clientSecret: string
  environment: 'sandbox' | 'production'
  /** Another PayPal API (a test fake), as `http://127.0.0.1:8080`; PayPal itself when null. */
  apiBase: string | null
  timeoutMs?: number
}

/** What PayPal sends with a webhook delivery, to be checked by PayPal itself. */
export interface PayPalWebhookDelivery {
  authAlgo: string
  certUrl: string
  transmissionId: string
  transmissionSig: string
  transmissionTime: string
  webhookId: string
  /** The event exactly as delivered, parsed from the raw body. */
  event: unknown
}

/**
 * The PayPal REST API through the official SDK, plus the one call the SDK
 * lacks: verify-webhook-signature.
 */
export interface PayPalApi {
  orders: OrdersController
  payments: PaymentsController
  /**
   * Asks PayPal whether a webhook delivery is genuine. We never fetch the
   * certificate URL the delivery names ourselves: PayPal checks it.
   */
  verifyWebhookSignature(delivery: PayPalWebhookDelivery): Promise<boolean>
}

const officialBases = { sandbox: 'https://api-m.sandbox.paypal.com', production: 'https://api-m.paypal.com' } as const

interface AxiosLikeConfig {
  url?: string
  method?: string
  headers?: { toJSON?: () => Record<string, unknown> } & Record<string, unknown>
  data?: unknown
  timeout?: number
  auth?: { username: string; password: string }
}

/**
 * An HTTP adapter for the SDK's axios client that sends PayPal's URLs to
 * another base. The SDK only knows PayPal's two hosts; tests need a fake.
 */
function rebasingAdapter(officialBase: string, apiBase: string) {
  return async function sendToApiBase(config: AxiosLikeConfig) {
    const url = (config.url ?? '').replace(officialBase, apiBase.replace(/\/$/, ''))
    const raw = typeof config.headers?.toJSON === 'function' ? config.headers.toJSON() : (config.headers ?? {})
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(raw)) {
      if (value !== undefined && value !== null && typeof value !== 'function') headers[name] = String(value as string)
    }
    if (config.auth) {
      headers['Authorization'] = `Basic ${Buffer.from(`${config.auth.username}:${config.auth.password}`).toString('base64')}`
    }
    const response = await fetch(url, {
      method: (config.method ?? 'get').toUpperCase(),
      headers,
      ...(config.data !== undefined && config.data !== null ? { body: config.data as string } : {}),
      ...(config.timeout ? { signal: AbortSignal.timeout(config.timeout) } : {}),
    })
    return {
      data: await response.text(),
      status: response.status,
      statusText: response.statusText,
      headers: Object.fromEntries(response.headers),
      config,
      request: {},
    }
  }
}

/**
 * Builds the PayPal API client from configuration.
 *
 * @example
 * ```ts
 * const paypal = createPayPalApi({ clientId, clientSecret, environment: 'sandbox', apiBase: null })
 * await paypal.orders.getOrder({ id: '5O190127TN364715T' })
 * ```
 */
export function createPayPalApi(props: PayPalApiProps): PayPalApi {
  const officialBase = officialBases[props.environment]
  const base = props.apiBase ?? officialBase
  const client = new Client({
    clientCredentialsAuthCredentials: { oAuthClientId: props.clientId, oAuthClientSecret: props.clientSecret },
    environment: props.environment === 'production' ? Environment.Production : Environment.Sandbox,
    timeout: props.timeoutMs ?? 20_000,
    // Our activities are retried by Temporal under the same PayPal-Request-Id; the SDK need not retry too.
    httpClientOptions: { retryConfig: { maxNumberOfRetries: 0 } },
    // No `logging` option: the SDK then logs nothing, so neither credentials nor tokens can reach a log.
    ...(props.apiBase ? { unstable_httpClientOptions: { adapter: rebasingAdapter(officialBase, props.apiBase) } } : {}),
  })
  let token: OAuthToken | null = null

  async function accessToken(): Promise<string> {
    if (!token || client.clientCredentialsAuthManager.isExpired(token)) {
      token = await client.clientCredentialsAuthManager.fetchToken()
    }
    return token.accessToken
  }

  return {
    orders: new OrdersController(client),
    payments: new PaymentsController(client),
    async verifyWebhookSignature(delivery) {
      const response = await fetch(`${base}/v1/notifications/verify-webhook-signature`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${await accessToken()}` },
        body: JSON.stringify({
          auth_algo: delivery.authAlgo,
          cert_url: delivery.certUrl,
          transmission_id: delivery.transmissionId,
          transmission_sig: delivery.transmissionSig,
          transmission_time: delivery.transmissionTime,
          webhook_id: delivery.webhookId,
          webhook_event: delivery.event,
        }),
        signal: AbortSignal.timeout(props.timeoutMs ?? 20_000),
      })
      if (!response.ok) throw new Error(`PayPal verify-webhook-signature answered ${response.status}`)
      const body = (await response.json()) as { verification_status?: string }
      return body.verification_status === 'SUCCESS'
    },
  }
}
