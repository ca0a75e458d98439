import { OpenAPIHono } from '@hono/zod-openapi'
import { bodyLimit } from 'hono/body-limit'
import { cors } from 'hono/cors'
import { HTTPException } from 'hono/http-exception'
import { requestId } from 'hono/request-id'
import { secureHeaders } from 'hono/secure-headers'
import { Registry, collectDefaultMetrics } from 'prom-client'
import { apiDefaults } from '../config.js'
import { createAccessTokenVerifier } from './access-tokens.js'
import type { AppDeps, AppEnv } from './app-deps.js'
import { dependencyOutageOf } from './dependency-outage.js'
import { httpMetrics } from './http-metrics.js'
import { registerOrderMetrics } from './order-metrics.js'
import { CommerceError } from '../commerce/commerce-errors.js'
import { ApiProblem, problemOfRefusal, problemResponse } from './problem.js'
import { refuseTokensInQuery } from './query-token-refusal.js'
import { requestLogging } from './request-context.js'
import { requestTracing } from './request-tracing.js'
import { requestTimeout } from './request-timeout.js'
import { carrierEventsRouter } from './routes/carrier-events.js'
import { docsRouter } from './routes/docs.js'
import { healthRouter } from './routes/health.js'
import { metricsRouter } from './routes/metrics.js'
import { notificationsRouter } from './routes/notifications.js'
import { ordersRouter } from './routes/orders.js'
import { orderReturnsRouter, returnsRouter } from './routes/returns.js'
import { orderPaymentsRouter } from './routes/order-payments.js'
import { paypalWebhooksRouter } from './routes/paypal-webhooks.js'
import { productsRouter } from './routes/products.js'
import { stockLocationsRouter } from './routes/stock-locations.js'
import { stripeWebhooksRouter } from './routes/stripe-webhooks.js'
import { registerOrderEventWebhooks, webhookEndpointsRouter } from './routes/webhook-endpoints.js'

/** Response headers a browser client may read cross-origin. */
const exposedHeaders = [
  'Location',
  'X-Request-Id',
  'Idempotent-Replayed',
  'Retry-After',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
]

/**
 * The HTTP API, wired to its dependencies. Test it in-process with
 * `app.request()`; serve it with `@hono/node-server`.
 *
 * @example
 * ```ts
 * const app = createApp({ db, temporal, taskQueue: 'orders', ... })
 * const res = await app.request('/v1/products')
 * ```
 *
 * Every request, in this order: gets a request id (`X-Request-Id`), is
 * measured for `/metrics` and logged, gets the secure headers (and CORS
 * headers for allowed origins only), is refused if it carries a token in its
 * URL, is cut off with 413 past the body limit and with 504 past the request
 * timeout. Routes then authenticate, rate-limit and validate for themselves.
 */
export function createApp(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>()
  const metrics = new Registry()
  collectDefaultMetrics({ register: metrics })
  registerOrderMetrics({ registry: metrics, db: deps.db, logger: deps.logger })
  const accessTokens = createAccessTokenVerifier({
    secret: deps.jwtSecret,
    issuer: deps.jwtIssuer ?? apiDefaults.jwtIssuer,
    audience: deps.jwtAudience ?? apiDefaults.jwtAudience,
    jwksUrl: deps.jwksUrl ?? null,
    jwksAlgorithms: deps.jwksAlgorithms ?? apiDefaults.jwksAlgorithms,
    clockToleranceSeconds: deps.jwtClockToleranceSeconds ?? apiDefaults.jwtClockToleranceSeconds,
  })
  const bodyLimitBytes = deps.bodyLimitBytes ?? apiDefaults.bodyLimitBytes

  app.use(requestId({ headerName: 'X-Request-Id' }))
  app.use(requestTracing())
  app.use(httpMetrics({ registry: metrics }))
  app.use(requestLogging({ logger: deps.logger }))
  // API answers may not be framed, sniffed or embedded; /docs sets its own CSP, which `overwrite: false` keeps.
  app.use(
    secureHeaders({
      contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
      xFrameOptions: 'DENY',
      overwrite: false,
    }),
  )
  const allowedOrigins = new Set(deps.corsAllowedOrigins ?? [])
  if (allowedOrigins.size > 0) {
    // Bearer tokens, never cookies: credentials stay off, and only listed origins are echoed back.
    app.use(
      cors({
        origin: (origin) => (allowedOrigins.has(origin) ? origin : null),
        allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
        allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'Last-Event-ID'],
        exposeHeaders: exposedHeaders,
        credentials: false,
        maxAge: 600,
      }),
    )
  }
  app.use(refuseTokensInQuery())
  const limitBody = bodyLimit({
    maxSize: bodyLimitBytes,
    // The rest of the body is never read: say the connection ends, or a keep-alive client would send its next
    // request on a socket the server is about to close ("other side closed").
    onError: (c) => {
      c.header('Connection', 'close')
      return problemResponse(c, 'payload_too_large', `The request body may be at most ${bodyLimitBytes} bytes`)
    },
  })
  // A GET or HEAD has no body the app reads (@hono/node-server passes none on): asking for it would only build
  // a full Request, with its AbortSignal, for nothing.
  app.use(async function limitRequestBody(c, next) {
    return c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limitBody(c, next)
  })
  app.use(requestTimeout({ ms: deps.requestTimeoutMs ?? apiDefaults.requestTimeoutMs }))
  app.use(async function provideAccessTokens(c, next) {
    c.set('accessTokens', accessTokens)
    await next()
  })

  app.route('/', healthRouter(deps))
  app.route('/', metricsRouter({ registry: metrics, token: deps.metricsToken ?? null }))
  app.route('/', docsRouter())
  app.route('/v1/products', productsRouter(deps))
  app.route('/v1/stock-locations', stockLocationsRouter(deps))
  app.route('/v1/orders', ordersRouter(deps))
  app.route('/v1/carrier-events', carrierEventsRouter(deps))
  app.route('/v1/webhooks/stripe', stripeWebhooksRouter(deps))
  app.route('/v1/webhooks/paypal', paypalWebhooksRouter(deps))
  app.route('/v1/orders', orderPaymentsRouter(deps))
  app.route('/v1/orders', orderReturnsRouter(deps))
  app.route('/v1/returns', returnsRouter(deps))
  app.route('/v1/notifications', notificationsRouter(deps))
  app.route('/v1/webhook-endpoints', webhookEndpointsRouter(deps))
  registerOrderEventWebhooks(app)

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'A JWT in `Authorization: Bearer` (never in the URL) with `sub`, `role` (customer or admin), `exp`, and the ' +
      "configured `iss` and `aud`. Operations list the role they require as this scheme's scope and in `x-required-role`.",
  })
  // Not app.doc31(): it answers a generation error with the raw error as JSON. Here it is a plain 500 problem.
  app.get('/openapi.json', (c) =>
    c.json(
      withAppWideProblems(app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 'Order engine API', version: '1.0.0' } })),
      200,
    ),
  )

  const routePatterns = app.routes
    .filter((route) => route.method !== 'ALL')
    .map((route) => ({
      method: route.method,
      pattern: new RegExp(`^${route.path.replace(/:[^/]+/g, '[^/]+').replace(/\/$/, '')}/?$`),
    }))
  app.notFound((c) => {
    const allowed = [...new Set(routePatterns.filter(({ pattern }) => pattern.test(c.req.path)).map(({ method }) => method))]
    if (allowed.length === 0 || allowed.includes(c.req.method)) {
      return problemResponse(c, 'not_found', `Nothing is served at ${c.req.method} ${c.req.path}`)
    }
    c.header('Allow', allowed.join(', '))
    return problemResponse(c, 'method_not_allowed', `${c.req.path} answers ${allowed.join(', ')}, not ${c.req.method}`)
  })
  app.onError((thrown, c) => {
    const logger = c.get('logger') ?? deps.logger
    // A use case's refusal reads as its problem: the table in problem.ts.
    const error = thrown instanceof CommerceError ? problemOfRefusal(thrown) : thrown
    if (error instanceof ApiProblem) {
      // Every 503 says when to come back, whoever raised it (the JWKS fetch, an outage below).
      if (error.code === 'service_unavailable' && !c.res.headers.has('Retry-After')) c.header('Retry-After', '5')
      return problemResponse(c, error.code, error.detail, error.extra)
    }
    if (error instanceof HTTPException && error.status < 500) {
      const code = error.status === 413 ? 'payload_too_large' : error.status === 401 ? 'unauthenticated' : 'invalid_request'
      return problemResponse(c, code, error.message || 'The request could not be read')
    }
    // A dependency that is down is not our bug: 503, naming it, with when to retry. Logged, without the client seeing why.
    const outage = dependencyOutageOf(error)
    if (outage) {
      logger.warn({ err: error, dependency: outage.dependency }, 'dependency unavailable')
      c.header('Retry-After', String(outage.retryAfterSeconds))
      return problemResponse(c, 'service_unavailable', outage.detail)
    }
    logger.error({ err: error }, 'unhandled error')
    return problemResponse(c, 'internal_error', `Try again later; quote request id ${c.get('requestId') ?? ''} to support`)
  })
  return app
}

export type App = ReturnType<typeof createApp>

type OpenApiDocument = ReturnType<App['getOpenAPI31Document']>

/**
 * What the app's own middleware may answer on any operation, whatever the
 * route declares: 401 for a token in the URL, 413 past the body limit (on
 * operations that take a body), 500, 503 (a dependency down) and 504 (past
 * the request timeout). Added once here, so no route can forget them.
 */
function withAppWideProblems(document: OpenApiDocument): OpenApiDocument {
  const problem = (description: string) => ({
    description,
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  })
  const appWide = {
    401: problem('No valid bearer token, or a token in the URL (always refused)'),
    500: problem('An internal error; quote `requestId` to support'),
    503: problem('A service the API needs is unavailable; retry after `Retry-After` seconds'),
    504: problem('The request took too long; retry with the same Idempotency-Key'),
  }
  for (const path of Object.values(document.paths ?? {})) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = path?.[method]
      if (!operation) continue
      const responses = (operation.responses ??= {})
      for (const [status, response] of Object.entries(appWide)) responses[status] ??= response
      if (operation.requestBody) responses['413'] ??= problem('The body is larger than the API accepts')
    }
  }
  return document
}
