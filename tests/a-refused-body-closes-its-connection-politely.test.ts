import { randomUUID } from 'node:crypto'
import { Agent, request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, serveApp } from '../api/serve.js'
import { type InProcessApp, inProcessApp } from './support/in-process-app.js'

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
  /** The local port of the socket it came on: the same port means the same connection. */
  localPort: number
}

/** One request through `agent`, writing the body in 64 KiB chunks as a client streaming an upload does. */
function send(
  agent: Agent,
  port: number,
  options: { method: string; path: string; headers?: Record<string, string>; body?: Buffer },
) {
  return new Promise<Answer>((resolve, reject) => {
    const req = request(
      { agent, host: '127.0.0.1', port, method: options.method, path: options.path, headers: options.headers ?? {} },
      (res) => {
        const localPort = res.socket?.localPort ?? 0
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            localPort,
          }),
        )
        res.on('error', reject)
      },
    )
    req.setTimeout(15_000, () => req.destroy(new Error(`${options.method} ${options.path}: no answer within 15 s`)))
    // The server may answer (and stop reading) before the upload is done: that is the case under test.
    req.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error),
    )
    const body = options.body
    if (!body) return void req.end()
    let offset = 0
    const writeMore = () => {
      while (offset < body.length) {
        const chunk = body.subarray(offset, offset + 64 * 1024)
        offset += chunk.length
        if (!req.write(chunk)) return void req.once('drain', writeMore)
      }
      req.end()
    }
    writeMore()
  })
}

describe('a placement body over the limit, on a keep-alive connection', () => {
  let api: InProcessApp
  let server: RunningServer
  let token: string
  beforeAll(async () => {
    api = inProcessApp({ bodyLimitBytes: 64 * 1024 })
    server = await serveApp(api.app, { host: '127.0.0.1', port: 0 })
    token = await api.token('customer')
  })
  afterAll(async () => {
    await server?.close()
    await api?.close()
  })

  it('is answered 413 with Connection: close, and the same client’s next request succeeds on a new connection', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    try {
      const warmUp = await send(agent, server.port, { method: 'GET', path: '/health' })
      expect(warmUp.status).toBe(200)
      expect(warmUp.headers['connection']).toBe('keep-alive')

      const huge = Buffer.from(JSON.stringify({ lines: [], padding: 'x'.repeat(2 * 1024 * 1024) }))
      const refused = await send(agent, server.port, {
        method: 'POST',
        path: '/v1/orders',
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json',
          'Content-Length': String(huge.length),
          'Idempotency-Key': randomUUID(),
        },
        body: huge,
      })
      console.log('413 answer headers:', {
        connection: refused.headers['connection'],
        'content-type': refused.headers['content-type'],
      })
      expect(refused.status).toBe(413)
      expect(JSON.parse(refused.body)).toMatchObject({ code: 'payload_too_large' })
      expect(refused.headers['connection']).toBe('close')

      // The agent reuses idle sockets it was not told to close: this request failed with "socket hang up" before.
      const ports: number[] = []
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const next = await send(agent, server.port, { method: 'GET', path: '/health' })
        expect(next.status).toBe(200)
        ports.push(next.localPort)
      }
      console.log('local ports: warm-up', warmUp.localPort, '413', refused.localPort, 'after', ports)
      expect(ports[0]).not.toBe(refused.localPort)
    } finally {
      agent.destroy()
    }
  })
})
