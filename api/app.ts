import { OpenAPIHono } from '@hono/zod-openapi'
import { HTTPException } from 'hono/http-exception'
import { requestId } from 'hono/request-id'
import type { AppDeps, AppEnv } from './app-deps.js'
import { ApiProblem, problemResponse } from './problem.js'
import { requestLogging } from './request-context.js'
import { carrierEventsRouter } from './routes/carrier-events.js'
import { healthRouter } from './routes/health.js'
import { ordersRouter } from './routes/orders.js'
import { orderPaymentsRouter } from './routes/order-payments.js'
import { paypalWebhooksRouter } from './routes/paypal-webhooks.js'
import { productsRouter } from './routes/products.js'
import { stripeWebhooksRouter } from './routes/stripe-webhooks.js'

/**
 * The HTTP API, wired to its dependencies. Test it in-process with
 * `app.request()`; serve it with `@hono/node-server`.
 *
 * @example
 * ```ts
 * const app = createApp({ db, temporal, taskQueue: 'orders', ... })
 * const res = await app.request('/v1/products')
 * ```
 */
export function createApp(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>()
  app.use(requestId({ headerName: 'X-Request-Id' }))
  app.use(requestLogging({ logger: deps.logger }))

  app.route('/', healthRouter(deps))
  app.route('/v1/products', productsRouter(deps))
  app.route('/v1/orders', ordersRouter(deps))
  app.route('/v1/carrier-events', carrierEventsRouter(deps))
  app.route('/v1/webhooks/stripe', stripeWebhooksRouter(deps))
  app.route('/v1/webhooks/paypal', paypalWebhooksRouter(deps))
  app.route('/v1/orders', orderPaymentsRouter(deps))

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
  app.doc31('/openapi.json', { openapi: '3.1.0', info: { title: 'Order engine API', version: '1.0.0' } })

  app.notFound((c) => problemResponse(c, 'not_found', `Nothing is served at ${c.req.method} ${c.req.path}`))
  app.onError((error, c) => {
    if (error instanceof ApiProblem) return problemResponse(c, error.code, error.detail, error.extra)
    if (error instanceof HTTPException && error.status < 500) {
      const code = error.status === 413 ? 'payload_too_large' : error.status === 401 ? 'unauthenticated' : 'invalid_request'
      return problemResponse(c, code, error.message || 'The request could not be read')
    }
    const logger = c.get('logger') ?? deps.logger
    logger.error({ err: error }, 'unhandled error')
    return problemResponse(c, 'internal_error', `Try again later; quote request id ${c.get('requestId') ?? ''} to support`)
  })
  return app
}

export type App = ReturnType<typeof createApp>
