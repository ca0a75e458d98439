/**
 * One webhook call against a real local HTTP server: a redirect is a failed
 * attempt (never followed), a receiver that never answers fails at the
 * timeout, and a huge answer is cut at the size cap instead of being read.
 */
import { type Server, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sendWebhook } from '../adapters/webhooks/webhook-sender.js'
import { newWebhookSecret } from '../commerce/webhook-endpoints.js'

let server: Server
let base: string
const hits: string[] = []

beforeAll(async () => {
  server = createServer((request, response) => {
    hits.push(request.url ?? '')
    if (request.url === '/redirect') response.writeHead(307, { location: '/elsewhere' }).end()
    else if (request.url === '/silent')
      return // never answers
    else if (request.url === '/huge') {
      response.writeHead(500, { 'content-type': 'text/plain' })
      const chunk = 'x'.repeat(64 * 1024)
      const write = () => {
        while (response.write(chunk)) if (response.writableLength > 8 * 1024 * 1024) return
        response.once('drain', write)
      }
      write()
    } else response.writeHead(204).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => {
  server.closeAllConnections()
  server.close()
})

const send = (path: string, timeoutMs = 5_000) =>
  sendWebhook({
    url: `${base}${path}`,
    messageId: 'evt_test',
    body: '{"type":"order.placed"}',
    secrets: [newWebhookSecret()],
    rules: { httpsOnly: false, allowPrivateTargets: true },
    timeoutMs,
    maxResponseBytes: 16 * 1024,
  })

describe('a webhook call', () => {
  it('does not follow a redirect', async () => {
    const result = await send('/redirect')
    expect(result).toMatchObject({ outcome: 'failed', statusCode: 307 })
    expect(result.outcome === 'failed' && result.error).toMatch(/to \/elsewhere \(redirects are not followed\)/)
    expect(hits).not.toContain('/elsewhere')
  })

  it('gives up at its timeout when the receiver never answers', async () => {
    const result = await send('/silent', 400)
    console.log('silent receiver:', JSON.stringify(result))
    expect(result).toMatchObject({ outcome: 'failed', statusCode: null, error: 'no answer within 400 ms' })
    expect(result.latencyMs).toBeLessThan(5_000)
  })

  it('reads at most the size cap of a huge answer', async () => {
    const result = await send('/huge')
    console.log('huge answer:', result.outcome, result.statusCode, `${result.latencyMs} ms`)
    expect(result).toMatchObject({ outcome: 'failed', statusCode: 500 })
    expect(result.outcome === 'failed' && result.error.length).toBeLessThan(300)
  })

  it('counts any 2xx as delivered, and refuses a URL that is not http(s) without calling anything', async () => {
    expect(await send('/ok')).toMatchObject({ outcome: 'delivered', statusCode: 204 })
    const refused = await sendWebhook({
      url: 'https://user:pw@example.com/',
      messageId: 'evt_test',
      body: '{}',
      secrets: [newWebhookSecret()],
      rules: { httpsOnly: true, allowPrivateTargets: false },
      timeoutMs: 1_000,
      maxResponseBytes: 1_024,
    })
    expect(refused).toMatchObject({ outcome: 'refused', error: 'The URL must not carry a user name or password' })
  })
})
