/**
 * Function-level authorization (OWASP API5), derived from the route table:
 * every operation the OpenAPI document declares admin-only (`adminOnly` in
 * its route config: `x-required-role: admin`) is called with a customer's
 * token and must answer 403, and with no token 401. Routes added later are
 * covered as soon as they are declared; nothing here lists them.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REQUIRED_ROLE_EXTENSION } from '../api/auth.js'
import { type InProcessApp, inProcessApp } from './support/in-process-app.js'

interface Operation {
  method: string
  path: string
  security?: Array<Record<string, string[]>>
  [REQUIRED_ROLE_EXTENSION]?: string
}

const methods = ['get', 'put', 'post', 'delete', 'patch'] as const

/** The document's operations, with their path templates filled in with plausible values. */
function operationsOf(document: { paths: Record<string, Record<string, object>> }): Operation[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    methods.filter((method) => method in item).map((method) => ({ method, path, ...(item[method] as object) })),
  )
}

const concrete = (path: string) => path.replaceAll(/\{[^}]+\}/g, () => randomUUID())

let api: InProcessApp
let operations: Operation[]
beforeAll(async () => {
  // The admin budget is shared by every admin route: make sure this sweep never meets it.
  api = inProcessApp({
    rateLimits: { placeOrder: { limit: 1_000, windowMs: 60_000 }, adminActions: { limit: 1_000, windowMs: 60_000 } },
  })
  const response = await api.app.request('/openapi.json')
  expect(response.status).toBe(200)
  operations = operationsOf((await response.json()) as { paths: Record<string, Record<string, object>> })
})
afterAll(() => api?.close())

async function call(operation: Operation, token: string | null) {
  const response = await api.app.request(concrete(operation.path), {
    method: operation.method.toUpperCase(),
    headers: {
      'Content-Type': 'application/json',
      'Idempotency-Key': randomUUID(),
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    ...(operation.method === 'get' || operation.method === 'delete' ? {} : { body: '{}' }),
  })
  return { status: response.status, type: response.headers.get('content-type'), body: await response.text() }
}

describe('routes declared admin-only in the route table', () => {
  it('are found in the OpenAPI document, each declaring the admin role as its bearer scope', () => {
    const admin = operations.filter((operation) => operation[REQUIRED_ROLE_EXTENSION] === 'admin')
    expect(admin.map((operation) => `${operation.method.toUpperCase()} ${operation.path}`)).toContain(
      'POST /v1/orders/{id}/cod-confirmation',
    )
    for (const operation of admin) expect(operation.security).toEqual([{ bearerAuth: ['admin'] }])
    // And the other way round: an operation that names the admin scope also carries the extension.
    const scoped = operations.filter((operation) =>
      operation.security?.some((requirement) => requirement['bearerAuth']?.includes('admin')),
    )
    expect(scoped).toEqual(admin)
  })

  it('every one refuses a customer token with 403 problem+json, and no token with 401', async () => {
    const customer = await api.token('customer')
    const admin = operations.filter((operation) => operation[REQUIRED_ROLE_EXTENSION] === 'admin')
    for (const operation of admin) {
      const name = `${operation.method.toUpperCase()} ${operation.path}`
      const asCustomer = await call(operation, customer)
      expect([name, asCustomer.status, asCustomer.type]).toEqual([name, 403, 'application/problem+json'])
      expect(JSON.parse(asCustomer.body)).toMatchObject({ code: 'forbidden', detail: 'This action needs the admin role' })
      const anonymous = await call(operation, null)
      expect([name, anonymous.status]).toEqual([name, 401])
    }
  })

  it('while an admin token gets past the role check of every one', async () => {
    const adminToken = await api.token('admin')
    for (const operation of operations.filter((candidate) => candidate[REQUIRED_ROLE_EXTENSION] === 'admin')) {
      const answer = await call(operation, adminToken)
      expect([`${operation.method.toUpperCase()} ${operation.path}`, [401, 403].includes(answer.status)]).toEqual([
        `${operation.method.toUpperCase()} ${operation.path}`,
        false,
      ])
    }
  })
})
