import { randomUUID } from 'node:crypto'
import { type Server, type Socket, createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createDatabase } from '../db/connection.js'
import { type InProcessApp, inProcessApp } from './support/in-process-app.js'

/** A TCP server that accepts connections and never answers: a database that has stalled. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => void sockets.add(socket))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

/** A port nobody listens on: a database that is down. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

async function problemOf(response: Response) {
  expect(response.headers.get('content-type')).toBe('application/problem+json')
  const text = await response.text()
  return { text, body: JSON.parse(text) as Record<string, unknown> }
}

describe('request bodies over the limit', () => {
  let api: InProcessApp
  let token: string
  beforeAll(async () => {
    api = inProcessApp({ bodyLimitBytes: 64 * 1024 })
    token = await api.token('customer')
  })
  afterAll(() => api?.close())

  const post = (body: string | ReadableStream<Uint8Array>, headers: Record<string, string> = {}) =>
    api.app.request('/v1/orders', {
      method: 'POST',
      body,
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
        'Idempotency-Key': randomUUID(),
        ...headers,
      },
      ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
    } as RequestInit)
  const padded = (bytes: number) => JSON.stringify({ lines: [], padding: 'x'.repeat(bytes) })

  it('are refused with 413 problem+json, by Content-Length or by counting a chunked stream', async () => {
    const declared = await post(padded(70 * 1024))
    expect(declared.status).toBe(413)
    const { body } = await problemOf(declared)
    expect(body).toMatchObject({ code: 'payload_too_large', status: 413, detail: 'The request body may be at most 65536 bytes' })

    const big = new TextEncoder().encode(padded(70 * 1024))
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let offset = 0; offset < big.length; offset += 8 * 1024) controller.enqueue(big.slice(offset, offset + 8 * 1024))
        controller.close()
      },
    })
    const streamed = await post(chunked)
    expect(streamed.status).toBe(413)
    expect((await problemOf(streamed)).body.code).toBe('payload_too_large')
  })

  it('while a body under the limit reaches validation', async () => {
    const answer = await post(padded(60 * 1024))
    expect(answer.status).toBe(400)
    const { body } = await problemOf(answer)
    expect(body.code).toBe('invalid_request')
  })
})

describe('a request the app cannot answer in time', () => {
  it('gets 504 problem+json when the database stalls, after the configured timeout', async () => {
    const stalled = await silentServer()
    const db = createDatabase({ connectionString: `postgres://orders:orders@127.0.0.1:${stalled.port}/orders` })
    const api = inProcessApp({ db, requestTimeoutMs: 300 })
    try {
      const started = Date.now()
      const answer = await api.app.request('/v1/products')
      expect(answer.status).toBe(504)
      expect(Date.now() - started).toBeLessThan(5_000)
      const { body } = await problemOf(answer)
      expect(body).toMatchObject({ code: 'request_timeout', status: 504 })
      expect(body.detail).toContain('Idempotency-Key')
      expect(body.requestId).toBe(answer.headers.get('x-request-id'))
    } finally {
      await api.close()
      await stalled.close()
      await db.destroy().catch(() => undefined)
    }
  })
})

describe('a database that is down', () => {
  it('is a 503 problem naming PostgreSQL, with Retry-After, leaking nothing of the error', async () => {
    const db = createDatabase({ connectionString: `postgres://orders:orders@127.0.0.1:${await closedPort()}/orders` })
    const api = inProcessApp({ db })
    try {
      const answer = await api.app.request('/v1/products')
      expect(answer.status).toBe(503)
      expect(answer.headers.get('retry-after')).toBe('5')
      const { text, body } = await problemOf(answer)
      expect(body).toMatchObject({
        code: 'service_unavailable',
        detail: 'PostgreSQL is unavailable (no connection); retry in 5 s',
      })
      for (const leak of ['ECONNREFUSED', '127.0.0.1', '    at ', 'node_modules']) expect(text).not.toContain(leak)
    } finally {
      await api.close()
      await db.destroy().catch(() => undefined)
    }
  })
})

describe('a database that accepts connections and never answers', () => {
  it('is a 503 naming PostgreSQL once connecting times out, well before the request timeout', async () => {
    const stalled = await silentServer()
    const db = createDatabase({
      connectionString: `postgres://orders:orders@127.0.0.1:${stalled.port}/orders`,
      connectionTimeoutMs: 1_000,
    })
    const api = inProcessApp({ db, requestTimeoutMs: 60_000 })
    try {
      const answer = await api.app.request('/v1/products')
      expect(answer.status).toBe(503)
      expect(answer.headers.get('retry-after')).not.toBeNull()
      const { body } = await problemOf(answer)
      expect(body).toMatchObject({ code: 'service_unavailable', status: 503 })
      expect(body.detail).toContain('PostgreSQL is unavailable')
    } finally {
      await api.close()
      await stalled.close()
      await db.destroy().catch(() => undefined)
    }
  })
})

describe('an internal error', () => {
  it('is a 500 problem that names the request id and leaks no stack, message or internals', async () => {
    // A database without the schema (a deployment that skipped its migrations): a fault of ours, not an outage.
    const name = `unmigrated_${randomUUID().replaceAll('-', '')}`
    const admin = createDatabase({ connectionString: inject('databaseUrl'), maxConnections: 1 })
    await sql.raw(`create database ${name}`).execute(admin)
    const url = new URL(inject('databaseUrl'))
    url.pathname = `/${name}`
    const db = createDatabase({ connectionString: url.href })
    const api = inProcessApp({ db })
    try {
      const answer = await api.app.request('/v1/products')
      expect(answer.status).toBe(500)
      const { text, body } = await problemOf(answer)
      expect(body).toMatchObject({ code: 'internal_error', status: 500, title: 'Something went wrong on our side' })
      expect(body.requestId).toBe(answer.headers.get('x-request-id'))
      expect(body.detail).toBe(`Try again later; quote request id ${body.requestId as string} to support`)
      for (const leak of [
        'relation',
        'does not exist',
        '42P01',
        'Error',
        '    at ',
        '.ts:',
        '.js:',
        'node_modules',
        'stack',
        'pg',
      ]) {
        expect(text).not.toContain(leak)
      }
    } finally {
      await api.close()
      await db.destroy().catch(() => undefined)
      await sql.raw(`drop database if exists ${name} with (force)`).execute(admin)
      await admin.destroy()
    }
  })
})

describe('every problem', () => {
  it('carries the request id of its X-Request-Id header, whatever went wrong', async () => {
    const api = inProcessApp({ bodyLimitBytes: 1_024 })
    try {
      const customer = await api.token('customer')
      const auth = { Authorization: `Bearer ${customer}` }
      const answers = await Promise.all([
        api.app.request('/nowhere'),
        api.app.request('/v1/orders'),
        api.app.request('/v1/orders?token=abc'),
        api.app.request(`/v1/orders/${randomUUID()}/cod-confirmation`, { method: 'POST', headers: auth }),
        api.app.request('/v1/orders?limit=1000', { headers: auth }),
        api.app.request('/v1/orders', { method: 'POST', headers: auth, body: 'x'.repeat(2_048) }),
      ])
      expect(answers.map((answer) => answer.status)).toEqual([404, 401, 401, 403, 400, 413])
      for (const answer of answers) {
        const requestId = answer.headers.get('x-request-id')
        expect(requestId).toMatch(/^[0-9a-f-]{36}$/)
        expect((await problemOf(answer)).body.requestId).toBe(requestId)
      }
    } finally {
      await api.close()
    }
  })
})
