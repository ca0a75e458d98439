/**
 * A webhook receiver over real HTTP, as a subscriber would write one: it
 * verifies each request's Standard Webhooks signature with the
 * `standardwebhooks` library, answers as the test says, and processes each
 * event once by its `webhook-id`.
 */
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Webhook } from 'standardwebhooks'

export interface ReceivedWebhook {
  path: string
  id: string
  headers: IncomingHttpHeaders
  body: string
  /** Which of the receiver's secrets verified it (by position), or null when none did. */
  verifiedBy: number | null
  answered: number
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>`. */
  url: string
  port: number
  received: ReceivedWebhook[]
  /** Each event processed once (the first 2xx-answered request of each `webhook-id`), in order. */
  processed: Array<{ id: string; body: unknown }>
  /** The secrets signatures are checked with; set after registering the endpoint. */
  secrets: string[]
  close(): Promise<void>
}

/**
 * Starts the receiver. `answer(path, attemptOfThisId)` picks the status code
 * (1 for the first request carrying an id).
 */
export async function startWebhookReceiver(answer: (path: string, attempt: number) => number): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = []
  const processed: Array<{ id: string; body: unknown }> = []
  const seen = new Set<string>()
  const receiver: Partial<WebhookReceiver> & { secrets: string[] } = { secrets: [] }
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const id = String(request.headers['webhook-id'] ?? '')
      const headers = {
        'webhook-id': id,
        'webhook-timestamp': String(request.headers['webhook-timestamp'] ?? ''),
        'webhook-signature': String(request.headers['webhook-signature'] ?? ''),
      }
      const verifiedBy = receiver.secrets.findIndex((secret) => {
        try {
          new Webhook(secret).verify(body, headers)
          return true
        } catch {
          return false
        }
      })
      const attempt = received.filter((r) => r.id === id).length + 1
      const status = verifiedBy === -1 ? 401 : answer(request.url ?? '/', attempt)
      received.push({
        path: request.url ?? '/',
        id,
        headers: request.headers,
        body,
        verifiedBy: verifiedBy === -1 ? null : verifiedBy,
        answered: status,
      })
      if (status >= 200 && status < 300 && !seen.has(id)) {
        seen.add(id)
        processed.push({ id, body: JSON.parse(body) })
      }
      response.writeHead(status, { 'content-type': 'text/plain' }).end(status >= 300 ? 'not now' : 'ok')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    processed,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  })
}
