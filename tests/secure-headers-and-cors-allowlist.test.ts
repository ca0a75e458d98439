import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../config.js'
import { type InProcessApp, inProcessApp } from './support/in-process-app.js'

describe('secure headers', () => {
  let api: InProcessApp
  beforeAll(() => {
    api = inProcessApp()
  })
  afterAll(() => api?.close())

  it('are on every response: success, problem, not found, and the docs page (with its own CSP)', async () => {
    const customer = await api.token('customer')
    const responses = {
      health: await api.app.request('/health'),
      openapi: await api.app.request('/openapi.json'),
      orders: await api.app.request('/v1/orders?limit=1', { headers: { Authorization: `Bearer ${customer}` } }),
      unauthenticated: await api.app.request('/v1/orders'),
      missing: await api.app.request('/no/such/route'),
      docs: await api.app.request('/docs'),
    }
    expect(Object.values(responses).map((response) => response.status)).toEqual([200, 200, 200, 401, 404, 200])
    for (const [name, response] of Object.entries(responses)) {
      const header = (key: string) => [name, response.headers.get(key)]
      expect(header('x-content-type-options')).toEqual([name, 'nosniff'])
      expect(header('x-frame-options')).toEqual([name, 'DENY'])
      expect(header('referrer-policy')).toEqual([name, 'no-referrer'])
      expect(header('strict-transport-security')).toEqual([name, 'max-age=15552000; includeSubDomains'])
      expect(header('cross-origin-resource-policy')).toEqual([name, 'same-origin'])
      expect(header('x-powered-by')).toEqual([name, null])
      expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
    }
    for (const response of [responses.health, responses.orders, responses.unauthenticated, responses.missing]) {
      expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'")
    }
    expect(responses.docs.headers.get('content-security-policy')).toContain("script-src 'self'")
  })
})

describe('CORS', () => {
  const shop = 'https://shop.example'
  const preflight = (app: InProcessApp, origin: string) =>
    app.app.request('/v1/orders', {
      method: 'OPTIONS',
      headers: {
        Origin: origin,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization, content-type, idempotency-key',
      },
    })

  it('by default allows no origin at all', async () => {
    const api = inProcessApp()
    try {
      const simple = await api.app.request('/v1/products', { headers: { Origin: shop } })
      expect(simple.headers.get('access-control-allow-origin')).toBeNull()
      expect((await preflight(api, shop)).headers.get('access-control-allow-origin')).toBeNull()
    } finally {
      await api.close()
    }
  })

  it('with CORS_ALLOWED_ORIGINS echoes only listed origins, never with credentials', async () => {
    const api = inProcessApp({
      corsAllowedOrigins: loadConfig({ CORS_ALLOWED_ORIGINS: `${shop}, http://localhost:5173` }).api.corsAllowedOrigins,
    })
    try {
      const allowed = await preflight(api, shop)
      expect(allowed.status).toBe(204)
      expect(allowed.headers.get('access-control-allow-origin')).toBe(shop)
      expect(allowed.headers.get('access-control-allow-headers')).toContain('Idempotency-Key')
      expect(allowed.headers.get('access-control-allow-credentials')).toBeNull()
      expect(allowed.headers.get('vary')).toContain('Origin')

      const simple = await api.app.request('/v1/orders', { headers: { Origin: 'http://localhost:5173' } })
      expect(simple.status).toBe(401)
      expect(simple.headers.get('access-control-allow-origin')).toBe('http://localhost:5173')
      expect(simple.headers.get('access-control-expose-headers')).toContain('X-Request-Id')

      for (const stranger of ['https://evil.example', 'https://shop.example.evil.example', 'null']) {
        expect((await preflight(api, stranger)).headers.get('access-control-allow-origin')).toBeNull()
        const read = await api.app.request('/v1/products', { headers: { Origin: stranger } })
        expect(read.headers.get('access-control-allow-origin')).toBeNull()
      }
    } finally {
      await api.close()
    }
  })

  it('refuses "*" and anything but a bare origin in the configuration', () => {
    for (const value of ['*', 'https://shop.example/path', 'shop.example', 'https://shop.example,*']) {
      expect(() => loadConfig({ CORS_ALLOWED_ORIGINS: value })).toThrow(ConfigError)
    }
    expect(loadConfig({}).api.corsAllowedOrigins).toEqual([])
  })
})
