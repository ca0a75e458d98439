/** The fields several resources share: a SKU, a currency, the `Idempotency-Key` header. */
import { z } from '@hono/zod-openapi'
import { text } from '../text-field.js'

/** A catalog SKU: letters, digits, dot, dash or underscore, 1 to 64 characters. */
export const sku = text({
  min: 1,
  max: 64,
  pattern: { regex: /^[A-Za-z0-9][A-Za-z0-9._-]*$/, message: 'must be letters, digits, dot, dash or underscore' },
})

/** The currency codes ISO 4217 defines, as Node's ICU knows them (never a list of our own). */
const isoCurrencies: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'))
const currencyShape = /^[A-Z]{3}$/
/** An ISO 4217 currency code (the codes Node's ICU knows). */
export const currency = text({
  min: 3,
  max: 3,
  pattern: { regex: currencyShape, message: 'must be an ISO 4217 currency code such as USD' },
})
  .superRefine((code, ctx) => {
    if (currencyShape.test(code) && !isoCurrencies.has(code)) {
      ctx.addIssue({ code: 'custom', message: `${code} is not an ISO 4217 currency code (such as USD, EUR or GBP)` })
    }
  })
  .openapi({ description: 'An ISO 4217 currency code, such as USD' })

const idempotencyKey = text({
  min: 1,
  max: 255,
  pattern: { regex: /^[\x21-\x7e]+$/, message: 'must be printable ASCII without spaces' },
  whenMissing:
    'is required: send an Idempotency-Key header with a unique key per request, such as a UUID ' +
    '(1 to 255 printable ASCII characters, no spaces)',
}).openapi({
  param: { name: 'idempotency-key', in: 'header' },
  description:
    'A unique key per intended request (a UUID). Kept 24 h: a retry with the same request gets the stored answer ' +
    '(Idempotent-Replayed: true), another request with the key is 422, a retry while the first is in flight is 409.',
})

/** The `Idempotency-Key` request header (draft-ietf-httpapi-idempotency-key-header), where a retry must never act twice. */
export const RequiredIdempotencyKeyHeader = z.object({ 'idempotency-key': idempotencyKey })

/** The same header where the action is idempotent by nature; the key becomes the Temporal update id. */
export const IdempotencyKeyHeader = z.object({ 'idempotency-key': idempotencyKey.optional() })
