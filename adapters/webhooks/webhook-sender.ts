/**
 * One signed POST of a webhook, made safely: the URL's rules checked, the
 * name resolved once and the connection made to the address checked, no
 * redirect followed, a short timeout, and at most a few KiB of the answer read.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { LookupFunction } from 'node:net'
import { Webhook } from 'standardwebhooks'
import { type WebhookTargetRules, WebhookTargetRefused, resolveWebhookTarget, webhookUrlRefusal } from './webhook-targets.js'

export interface WebhookSendOptions {
  url: string
  /** The event id: `webhook-id`, the same on every attempt, so receivers dedupe by it. */
  messageId: string
  /** The JSON body, exactly as signed. */
  body: string
  /** Every secret that signs (the current one, and the previous one during a rotation's grace). */
  secrets: readonly string[]
  rules: WebhookTargetRules
  /** The whole attempt, DNS to the last byte read. */
  timeoutMs: number
  /** The most of the answer read; the rest is dropped. */
  maxResponseBytes: number
  /** The clock of the signature's timestamp; now by default. */
  now?: Date
}

/** What one attempt came to. */
export type WebhookSendResult =
  | { outcome: 'delivered'; statusCode: number; latencyMs: number }
  | { outcome: 'failed'; statusCode: number | null; latencyMs: number; error: string }
  | { outcome: 'refused'; statusCode: null; latencyMs: number; error: string }

/**
 * The Standard Webhooks headers for a body: `webhook-id`, `webhook-timestamp`
 * (Unix seconds) and `webhook-signature` (one `v1,<base64>` per secret, space-separated).
 */
export function standardWebhookHeaders(options: { messageId: string; body: string; secrets: readonly string[]; now: Date }) {
  const signatures = options.secrets.map((secret) => new Webhook(secret).sign(options.messageId, options.now, options.body))
  return {
    'webhook-id': options.messageId,
    'webhook-timestamp': String(Math.floor(options.now.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  }
}

/**
 * POSTs one webhook and says how it went; never throws for the receiver's
 * failures (an answer other than 2xx, a timeout, a refused connection,
 * a target the rules refuse), only for bugs.
 *
 * @example
 * ```ts
 * const result = await sendWebhook({ url, messageId: event.id, body, secrets: [secret], rules, timeoutMs: 10_000, maxResponseBytes: 16_384 })
 * ```
 */
export async function sendWebhook(options: WebhookSendOptions): Promise<WebhookSendResult> {
  const started = performance.now()
  const latencyMs = () => Math.round(performance.now() - started)
  // The URL's shape here; its addresses below, after resolution, whatever the name looks like.
  const refusal = webhookUrlRefusal(options.url, { ...options.rules, allowPrivateTargets: true })
  if (refusal) return { outcome: 'refused', statusCode: null, latencyMs: latencyMs(), error: `The URL ${refusal}` }
  const url = new URL(options.url)
  const deadline = AbortSignal.timeout(options.timeoutMs)
  try {
    const target = await Promise.race([
      resolveWebhookTarget(url.hostname, options.rules),
      new Promise<never>((_, reject) =>
        deadline.addEventListener('abort', () => reject(new Error(`DNS took longer than ${options.timeoutMs} ms`))),
      ),
    ])
    const response = await post(url, target, options, deadline)
    const statusCode = response.statusCode
    if (statusCode >= 200 && statusCode < 300) return { outcome: 'delivered', statusCode, latencyMs: latencyMs() }
    const location = response.location ? ` to ${response.location} (redirects are not followed)` : ''
    const snippet = response.body.trim().slice(0, 200)
    return {
      outcome: 'failed',
      statusCode,
      latencyMs: latencyMs(),
      error: `answered ${statusCode}${location}${snippet ? `: ${snippet}` : ''}`,
    }
  } catch (error) {
    if (error instanceof WebhookTargetRefused) {
      return { outcome: 'refused', statusCode: null, latencyMs: latencyMs(), error: error.message }
    }
    const message = deadline.aborted
      ? `no answer within ${options.timeoutMs} ms`
      : error instanceof Error
        ? error.message
        : String(error)
    return { outcome: 'failed', statusCode: null, latencyMs: latencyMs(), error: message }
  }
}

/** The POST itself, to the address already checked; reads at most `maxResponseBytes` of the answer. */
function post(
  url: URL,
  target: { address: string; family: 4 | 6 },
  options: WebhookSendOptions,
  signal: AbortSignal,
): Promise<{ statusCode: number; location: string | null; body: string }> {
  // Every connection goes to the address that was checked, whatever the name resolves to by now.
  const pinnedLookup: LookupFunction = (_hostname, lookupOptions, callback) => {
    if (lookupOptions.all) callback(null, [{ address: target.address, family: target.family }])
    else callback(null, target.address, target.family)
  }
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'order-engine-webhooks/1',
    ...standardWebhookHeaders({ ...options, now: options.now ?? new Date() }),
  }
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      { method: 'POST', headers, lookup: pinnedLookup, signal, agent: false },
      (incoming: IncomingMessage) => {
        const chunks: Buffer[] = []
        let read = 0
        const done = () =>
          resolve({
            statusCode: incoming.statusCode ?? 0,
            location: typeof incoming.headers.location === 'string' ? incoming.headers.location : null,
            body: Buffer.concat(chunks).toString('utf8'),
          })
        incoming.on('data', (chunk: Buffer) => {
          if (read >= options.maxResponseBytes) return
          chunks.push(chunk.subarray(0, options.maxResponseBytes - read))
          read += chunk.length
          // Enough read: the rest of a large answer is never waited for.
          if (read >= options.maxResponseBytes) {
            done()
            incoming.destroy()
          }
        })
        incoming.on('end', done)
        incoming.on('error', reject)
      },
    )
    outgoing.on('error', reject)
    outgoing.end(options.body)
  })
}
