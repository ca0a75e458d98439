import { createHmac, timingSafeEqual } from 'node:crypto'

/** The header carriers sign their webhooks with: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`. */
export const CARRIER_SIGNATURE_HEADER = 'Carrier-Signature'

/** How far a signature's timestamp may be from now, in seconds. */
export const SIGNATURE_TOLERANCE_SECONDS = 300

function digest(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')
}

/**
 * Signs a carrier webhook body, as a carrier (or the simulated one) does.
 *
 * @example
 * ```ts
 * fetch(url, { method: 'POST', body, headers: { 'Carrier-Signature': signCarrierPayload(secret, body) } })
 * ```
 */
export function signCarrierPayload(secret: string, body: string, now = Date.now()): string {
  const timestamp = Math.floor(now / 1000)
  return `t=${timestamp},v1=${digest(secret, timestamp, body)}`
}

/** Why a signature was refused, or null when it is good. */
export function carrierSignatureProblem(
  secret: string,
  header: string | undefined,
  body: string,
  now = Date.now(),
): string | null {
  if (!header) return `the ${CARRIER_SIGNATURE_HEADER} header is missing`
  const parts = new Map(header.split(',').map((part) => part.trim().split('=', 2) as [string, string]))
  const timestamp = Number(parts.get('t'))
  const signature = parts.get('v1') ?? ''
  if (!Number.isInteger(timestamp) || !/^[0-9a-f]{64}$/.test(signature))
    return `the ${CARRIER_SIGNATURE_HEADER} header is malformed`
  if (Math.abs(now / 1000 - timestamp) > SIGNATURE_TOLERANCE_SECONDS) return 'the signature timestamp is outside the tolerance'
  const expected = Buffer.from(digest(secret, timestamp, body), 'hex')
  return timingSafeEqual(expected, Buffer.from(signature, 'hex')) ? null : 'the signature does not match'
}
