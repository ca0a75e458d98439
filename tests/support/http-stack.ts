/**
 * The API served over real HTTP on a free port, wired to the run's Postgres
 * and Temporal, with a worker on its own task queue: the whole engine,
 * driven the way clients and carriers drive it.
 */
import type { AppDeps } from '../../api/app-deps.js'
import { type App, createApp } from '../../api/app.js'
import { type Role, signAccessToken } from '../../api/auth.js'
import { CARRIER_SIGNATURE_HEADER, signCarrierPayload } from '../../api/carrier-signature.js'
import type { Mailer } from '../../adapters/email/mailer.js'
import type { PaymentProvider } from '../../adapters/payments/payment-provider.js'
import type { WebhookDeliverySettings } from '../../activities/webhook-activities.js'
import type { ApiPayments } from '../../api/payments/api-payments.js'
import { type RunningServer, serveApp } from '../../api/serve.js'
import { type Contract, contractOf, type OpenApiDocument } from './openapi-contract.js'
import { createOrderChangeFeed, type OrderChangeFeed } from '../../db/order-change-feed.js'
import { inject } from 'vitest'
import { connectServices, logger, type RunningWorker, type TestServices } from './services.js'
import { settleMs } from './patience.js'
import { ensureNotificationDispatcher, notificationDispatcherId } from '../../workers/notification-dispatcher-setup.js'

/** The HS256 secret of the test apps' tokens. */
export const jwtSecret = 'test-jwt-secret-that-is-long-enough-0123'
/** The carrier webhook secret of the test apps. */
export const carrierSecret = 'test-carrier-secret-0123'

export interface HttpStack {
  app: App
  services: TestServices
  /** The served OpenAPI document, as a checker of responses. */
  contract: Contract
  /** Every response so far that its documentation does not allow; tests assert it stays empty. */
  contractViolations: string[]
  worker: RunningWorker
  baseUrl: string
  /** The API's order change feed (its one LISTEN connection). */
  orderChanges: OrderChangeFeed
  token(role: Role, subject: string): Promise<string>
  /** A JSON request; returns status, headers and the parsed body. */
  call(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<HttpResult>
  /** Posts a carrier event signed with the carrier secret, as a carrier would. */
  carrier(event: Record<string, unknown>, options?: { secret?: string }): Promise<HttpResult>
  restartWorker(): Promise<void>
  close(): Promise<void>
}

export interface HttpResult {
  status: number
  headers: Headers
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read whatever the API sent
  body: any
}

export interface HttpStackOptions {
  codConfirmationTimeoutMs?: number
  /** Another database than the run's shared one (see tests/support/fresh-database.ts). */
  databaseUrl?: string
  /** App settings to override: rate limits, body limit, timeout, CORS … */
  app?: Partial<Omit<AppDeps, 'db' | 'temporal' | 'taskQueue' | 'logger'>>
  /** How often idle order event streams send a heartbeat. */
  orderEventsHeartbeatMs?: number
  /** The order change feed's `application_name`, to find its connection in `pg_stat_activity`. */
  changeFeedName?: string
  /** Runs the outbox dispatcher on this stack's task queue (notifications, webhooks); terminated at close. */
  notificationDispatcher?: boolean
  /** The API's payment clients; only the sandbox when omitted. */
  payments?: ApiPayments
  /** The worker's providers besides the sandbox. */
  paymentProviders?: PaymentProvider[]
  /** Where the worker sends notification mails; none (mails skipped) when omitted. */
  mailer?: Mailer
  /** How the worker delivers webhooks (short retries in tests); `webhookDefaults` when omitted. */
  webhooks?: Partial<WebhookDeliverySettings>
}

export async function startHttpStack(options: HttpStackOptions = {}): Promise<HttpStack> {
  const services = await connectServices(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {})
  const orderChanges = createOrderChangeFeed({
    connectionString: options.databaseUrl ?? inject('databaseUrl'),
    logger,
    applicationName: options.changeFeedName ?? 'order-change-feed-test',
  })
  await orderChanges.ready()
  const app = createApp({
    db: services.db,
    temporal: services.client,
    taskQueue: services.taskQueue,
    logger,
    jwtSecret,
    carrierWebhookSecret: carrierSecret,
    storeCurrency: 'USD',
    codConfirmationTimeoutMs: options.codConfirmationTimeoutMs ?? 60_000,
    // Tests place many orders as one customer (20 at once to prove idempotency): budgets that never bind,
    // unless a test sets its own (tests/rate-limits-answer-429.test.ts).
    rateLimits: { placeOrder: { limit: 10_000, windowMs: 60_000 }, adminActions: { limit: 10_000, windowMs: 60_000 } },
    ...options.app,
    orderChanges,
    ...(options.orderEventsHeartbeatMs === undefined ? {} : { orderEventsHeartbeatMs: options.orderEventsHeartbeatMs }),
    ...(options.payments ? { payments: options.payments } : {}),
  })
  const server: RunningServer = await serveApp(app, { host: '127.0.0.1', port: 0 })
  const baseUrl = `http://127.0.0.1:${server.port}`

  async function call(
    method: string,
    path: string,
    request: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) {
    const headers: Record<string, string> = { ...request.headers }
    if (request.token) headers['Authorization'] = `Bearer ${request.token}`
    let body: string | undefined
    if (request.body !== undefined) {
      headers['Content-Type'] ??= 'application/json'
      body = typeof request.body === 'string' ? request.body : JSON.stringify(request.body)
    }
    const response = await fetch(`${baseUrl}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) })
    const text = await response.text()
    const contentType = response.headers.get('content-type')
    const parsed: unknown = text && /json/.test(contentType ?? '') ? JSON.parse(text) : text || null
    if (contract) {
      violations.push(...contract.violations({ method, path, status: response.status, contentType, body: parsed }))
    }
    return { status: response.status, headers: response.headers, body: parsed }
  }

  const workerOptions = {
    paymentProviders: options.paymentProviders ?? [],
    ...(options.mailer ? { mailer: options.mailer } : {}),
    ...(options.webhooks ? { webhooks: options.webhooks } : {}),
  }
  const violations: string[] = []
  let contract: Contract | null = null
  contract = contractOf((await call('GET', '/openapi.json')).body as OpenApiDocument)

  const stack: HttpStack = {
    app,
    services,
    contract,
    contractViolations: violations,
    worker: await services.startWorker(workerOptions),
    baseUrl,
    orderChanges,
    token: (role, subject) => signAccessToken(jwtSecret, { role, subject }),
    call,
    carrier(event, { secret = carrierSecret } = {}) {
      const body = JSON.stringify(event)
      return call('POST', '/v1/carrier-events', {
        body,
        headers: { [CARRIER_SIGNATURE_HEADER]: signCarrierPayload(secret, body) },
      })
    },
    async restartWorker() {
      await stack.worker.stop()
      stack.worker = await services.startWorker(workerOptions)
    },
    async close() {
      if (options.notificationDispatcher) {
        await services.client.workflow
          .getHandle(notificationDispatcherId(services.taskQueue))
          .terminate('test over')
          .catch(() => undefined)
      }
      await orderChanges.close()
      await server.close()
      await services.close()
    },
  }
  if (options.notificationDispatcher) {
    await ensureNotificationDispatcher(services.client, { taskQueue: services.taskQueue, logger })
  }
  return stack
}

/** Polls GET /v1/orders/:id until `ready` holds. */
export async function waitForHttpOrder(
  stack: HttpStack,
  token: string,
  orderId: string,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the order as JSON
  ready: (order: any) => boolean,
  timeoutMs = settleMs,
) {
  const deadline = Date.now() + timeoutMs
  let last: HttpResult | null = null
  while (Date.now() < deadline) {
    last = await stack.call('GET', `/v1/orders/${orderId}`, { token })
    if (last.status === 200 && ready(last.body)) return last.body
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`order never got there; last answer ${last?.status} ${JSON.stringify(last?.body)}`)
}
