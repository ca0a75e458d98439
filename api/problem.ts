/**
 * Every error the API answers with, as RFC 9457 `application/problem+json`.
 * Edge code (auth, validation, rate limits) throws an {@link ApiProblem} with
 * a code; use cases throw their typed refusals (`commerce/commerce-errors.ts`),
 * which {@link problemOfRefusal} maps through one exhaustive table. One table
 * gives each code its status and title, so the same failure always reads the same.
 */
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { CommerceError, CommerceRefusal, CommerceRefusalKind } from '../commerce/commerce-errors.js'
import type { PricingProblem } from '../domain/order-pricing.js'

export const problemCatalog = {
  invalid_request: { status: 400, title: 'The request is not valid' },
  unauthenticated: { status: 401, title: 'Authentication is required' },
  forbidden: { status: 403, title: 'You may not do this' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'This method is not allowed here' },
  order_not_found: { status: 404, title: 'Order not found' },
  product_not_found: { status: 404, title: 'Product not found' },
  notification_not_found: { status: 404, title: 'Notification not found' },
  return_not_found: { status: 404, title: 'Return not found' },
  cod_refund_not_found: { status: 404, title: 'Cash-on-delivery refund not found' },
  unknown_tracking_number: { status: 404, title: 'No shipment has this tracking number' },
  order_update_refused: { status: 409, title: 'The order cannot do this now' },
  idempotency_key_in_flight: { status: 409, title: 'A request with this Idempotency-Key is still being processed' },
  stock_below_reserved: { status: 409, title: 'Stock on hand cannot go below what is reserved' },
  unknown_stock_location: { status: 422, title: 'There is no such stock location' },
  payload_too_large: { status: 413, title: 'The request body is too large' },
  unsupported_media_type: { status: 415, title: 'The request body must be application/json' },
  idempotency_key_reused: { status: 422, title: 'This Idempotency-Key was used with another request' },
  order_not_priceable: { status: 422, title: 'The order cannot be priced' },
  rate_limited: { status: 429, title: 'Too many requests' },
  payment_method_unavailable: { status: 422, title: 'This payment method is not accepted' },
  webhook_signature_invalid: { status: 400, title: 'The webhook signature is not valid' },
  payment_not_awaiting_customer: { status: 409, title: 'The payment is not waiting for the customer' },
  webhook_endpoint_not_found: { status: 404, title: 'Webhook endpoint not found' },
  webhook_delivery_not_found: { status: 404, title: 'Webhook delivery not found' },
  webhook_url_refused: { status: 422, title: 'Webhooks may not be sent to this URL' },
  webhook_delivery_in_progress: { status: 409, title: 'The delivery is still being tried' },
  internal_error: { status: 500, title: 'Something went wrong on our side' },
  service_unavailable: { status: 503, title: 'A service the API needs is unavailable' },
  request_timeout: { status: 504, title: 'The request took too long' },
} as const satisfies Record<string, { status: ContentfulStatusCode; title: string }>

export type ProblemCode = keyof typeof problemCatalog

/** One thing wrong with one field of the request. */
export interface FieldError {
  /** Where: `body`, `query`, `header` or `path`. */
  in: 'body' | 'query' | 'header' | 'path'
  /** The field, as a dotted path (`lines.0.quantity`). */
  field: string
  reason: string
}

export interface ProblemBody {
  type: string
  title: string
  status: number
  detail: string
  instance: string
  requestId: string
  code: ProblemCode
  errors?: FieldError[]
  reason?: string
}

/** A failure to answer with a problem response. */
export class ApiProblem extends Error {
  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly extra: { errors?: FieldError[]; reason?: string } = {},
  ) {
    super(detail)
    this.name = 'ApiProblem'
  }
}

/** Renders a problem as `application/problem+json`, with the request id. */
export function problemResponse(
  c: Context,
  code: ProblemCode,
  detail: string,
  extra: { errors?: FieldError[]; reason?: string } = {},
): Response {
  const { status, title } = problemCatalog[code]
  const requestId: string = c.get('requestId') ?? ''
  const body: ProblemBody = {
    type: `https://order-engine.dev/problems/${code.replaceAll('_', '-')}`,
    title,
    status,
    detail,
    instance: new URL(c.req.url).pathname,
    requestId,
    code,
    ...extra,
  }
  return c.body(JSON.stringify(body), status, { 'Content-Type': 'application/problem+json' })
}

/** Field errors from a zod failure, as clients read them: an unknown key is named as the field. */
export function fieldErrors(
  where: FieldError['in'],
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string; code?: string; keys?: readonly string[] }>,
): FieldError[] {
  const name = (path: ReadonlyArray<PropertyKey>) => (path.length > 0 ? path.map(String).join('.') : '(root)')
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys' && issue.keys
      ? issue.keys.map((key) => ({ in: where, field: name([...issue.path, key]), reason: 'is not a field this request accepts' }))
      : [{ in: where, field: name(issue.path), reason: issue.message }],
  )
}

/** The field errors of a placement the catalog cannot price. */
function pricingErrors(problems: readonly PricingProblem[]): FieldError[] {
  return problems.map((problem) => {
    switch (problem.kind) {
      case 'unknown_sku':
        return { in: 'body', field: `lines.${problem.index}.sku`, reason: `no product has SKU ${problem.sku}` }
      case 'unavailable_sku':
        return { in: 'body', field: `lines.${problem.index}.sku`, reason: `${problem.sku} is not for sale` }
      case 'currency_not_sold':
        return { in: 'body', field: 'currency', reason: `the store does not sell in ${problem.currency}` }
    }
  })
}

/** Field errors as one detail line: `field: reason; field: reason`. */
export function fieldErrorsDetail(errors: readonly FieldError[]): string {
  return errors.map((e) => `${e.field}: ${e.reason}`).join('; ')
}

function withFieldErrors(code: ProblemCode, errors: FieldError[]): ApiProblem {
  return new ApiProblem(code, fieldErrorsDetail(errors), { errors })
}

/** One problem per kind of refusal: adding a refusal to the use cases fails to compile until it is answered here. */
const refusalProblems: { [K in CommerceRefusalKind]: (refusal: Extract<CommerceRefusal, { kind: K }>) => ApiProblem } = {
  order_not_found: (r) => new ApiProblem('order_not_found', r.message),
  order_update_refused: (r) => new ApiProblem('order_update_refused', r.detail, { reason: r.reason }),
  order_update_timed_out: (r) => new ApiProblem('request_timeout', r.message),
  idempotency_key_reused: (r) => new ApiProblem('idempotency_key_reused', r.message),
  idempotency_key_in_flight: (r) => new ApiProblem('idempotency_key_in_flight', r.message),
  request_rate_limited: (r) => new ApiProblem('rate_limited', r.message),
  order_not_priceable: (r) => withFieldErrors('order_not_priceable', pricingErrors(r.problems)),
  payment_method_unavailable: () =>
    new ApiProblem('payment_method_unavailable', 'paymentMethod: PayPal is not configured on this store', {
      errors: [{ in: 'body', field: 'paymentMethod', reason: 'paypal is not accepted by this store' }],
    }),
  payment_not_awaiting_customer: (r) => new ApiProblem('payment_not_awaiting_customer', r.message),
  product_not_found: (r) => new ApiProblem('product_not_found', r.message),
  unknown_tracking_number: (r) =>
    new ApiProblem('unknown_tracking_number', r.message, {
      errors: [{ in: 'body', field: 'trackingNumber', reason: 'is not a tracking number of ours' }],
    }),
  stock_location_not_found: (r) =>
    withFieldErrors('unknown_stock_location', [{ in: 'body', field: 'locationId', reason: r.message }]),
  stock_below_reserved: (r) => withFieldErrors('stock_below_reserved', [{ in: 'body', field: 'delta', reason: r.message }]),
  stock_above_maximum: (r) => withFieldErrors('invalid_request', [{ in: 'body', field: 'delta', reason: r.message }]),
  notification_not_found: (r) => new ApiProblem('notification_not_found', r.message),
  webhook_endpoint_not_found: (r) => new ApiProblem('webhook_endpoint_not_found', r.message),
  webhook_delivery_not_found: (r) => new ApiProblem('webhook_delivery_not_found', r.message),
  webhook_url_refused: (r) => withFieldErrors('webhook_url_refused', [{ in: 'body', field: 'url', reason: r.reason }]),
  webhook_delivery_in_progress: (r) => new ApiProblem('webhook_delivery_in_progress', r.message),
  return_not_found: (r) => new ApiProblem('return_not_found', r.message),
  cod_refund_not_found: (r) => new ApiProblem('cod_refund_not_found', r.message),
}

/** The problem a use case's refusal is answered with. */
export function problemOfRefusal(error: CommerceError): ApiProblem {
  const refusal = error as CommerceRefusal
  const answer = refusalProblems[refusal.kind] as (refusal: CommerceRefusal) => ApiProblem
  return answer(refusal)
}
