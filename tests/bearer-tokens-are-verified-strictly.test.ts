import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { type Server, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signAccessToken } from '../api/auth.js'
import { jwtSecret } from './support/http-stack.js'
import { type InProcessApp, inProcessApp } from './support/in-process-app.js'

/** A JWT over `claims`, signed with the test secret unless told otherwise. */
function hs256(claims: Record<string, unknown>, secret: string | Uint8Array = jwtSecret) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .sign(typeof secret === 'string' ? new TextEncoder().encode(secret) : secret)
}

const now = () => Math.floor(Date.now() / 1000)
const validClaims = () => ({
  sub: 'cust_strict',
  role: 'customer',
  iss: 'order-engine',
  aud: 'order-engine-api',
  iat: now(),
  exp: now() + 600,
})

function unsigned(claims: Record<string, unknown>, signature = '') {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.${signature}`
}

async function listOrders(app: InProcessApp, token: string | null, query = '') {
  const response = await app.app.request(`/v1/orders${query}`, token ? { headers: { Authorization: `Bearer ${token}` } } : {})
  const body = (await response.json()) as { code?: string; detail?: string }
  return { status: response.status, type: response.headers.get('content-type'), body }
}

describe('with the embedded HS256 secret', () => {
  let api: InProcessApp
  beforeAll(() => {
    api = inProcessApp()
  })
  afterAll(() => api?.close())

  it('accepts a token with the configured issuer, audience and an expiry', async () => {
    expect((await listOrders(api, await hs256(validClaims()))).status).toBe(200)
    expect((await listOrders(api, await signAccessToken(jwtSecret, { subject: 'cust_cli', role: 'customer' }))).status).toBe(200)
  })

  it.each([
    ['another issuer', { iss: 'someone-else' }, `"iss" claim is not accepted`],
    ['no issuer', { iss: undefined }, `no "iss" claim`],
    ['another audience', { aud: 'another-api' }, `"aud" claim is not accepted`],
    ['no expiry', { exp: undefined }, `no "exp" claim`],
    ['an expiry an hour ago', { exp: now() - 3_600, iat: now() - 7_200 }, 'has expired'],
    ['no subject', { sub: undefined }, `no "sub" claim`],
    ['an unknown role', { role: 'superuser' }, 'role claim of customer or admin'],
  ])('refuses a token with %s (401)', async (_name, change, reason) => {
    const answer = await listOrders(api, await hs256({ ...validClaims(), ...change }))
    expect(answer.status).toBe(401)
    expect(answer.type).toBe('application/problem+json')
    expect(answer.body.code).toBe('unauthenticated')
    expect(answer.body.detail).toContain(reason)
  })

  it('refuses a token signed with another secret, and alg none with or without a signature', async () => {
    const forged = await listOrders(api, await hs256(validClaims(), 'another-secret-that-is-long-enough-012345'))
    expect(forged.status).toBe(401)
    expect(forged.body.detail).toContain("signature does not match this API's HS256 secret")
    for (const token of [unsigned(validClaims()), unsigned(validClaims(), 'c2lnbmF0dXJl')]) {
      const answer = await listOrders(api, token)
      expect(answer.status).toBe(401)
      expect(answer.body.code).toBe('unauthenticated')
    }
  })

  it('refuses an RS256 token: the algorithm is pinned to HS256', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const token = await new SignJWT(validClaims()).setProtectedHeader({ alg: 'RS256' }).sign(privateKey)
    const answer = await listOrders(api, token)
    expect(answer.status).toBe(401)
    expect(answer.body.detail).toContain('signing algorithm is not accepted')
  })

  it.each(['access_token', 'token'])('refuses ?%s= in the query string with 401, even with a valid token', async (name) => {
    const token = await hs256(validClaims())
    const inQuery = await listOrders(api, null, `?${name}=${token}`)
    expect(inQuery.status).toBe(401)
    expect(inQuery.type).toBe('application/problem+json')
    expect(inQuery.body.detail).toContain(`?${name}=`)
    // Also when the header carries a good token: a token in a URL is a leak, whatever else is sent.
    expect((await listOrders(api, token, `?${name}=${token}`)).status).toBe(401)
    expect((await listOrders(api, token, '?limit=1')).status).toBe(200)
  })

  it('uses a configured issuer and audience instead of the defaults', async () => {
    const custom = inProcessApp({ jwtIssuer: 'https://id.shop.example', jwtAudience: 'orders' })
    try {
      const defaults = await signAccessToken(jwtSecret, { subject: 'cust_1', role: 'customer' })
      expect((await listOrders(custom, defaults)).status).toBe(401)
      const matching = await signAccessToken(jwtSecret, {
        subject: 'cust_1',
        role: 'customer',
        issuer: 'https://id.shop.example',
        audience: 'orders',
      })
      expect((await listOrders(custom, matching)).status).toBe(200)
    } finally {
      await custom.close()
    }
  })
})

describe('with JWKS_URL: tokens of an identity provider', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 })
  let jwksServer: Server
  let jwksUrl: string
  let jwksRequests = 0
  let api: InProcessApp

  const jwk = (key: KeyObject, kid: string, alg: string) => ({ ...key.export({ format: 'jwk' }), kid, alg, use: 'sig' })
  const signed = (alg: 'RS256' | 'ES256', key: KeyObject, kid: string, claims: Record<string, unknown> = validClaims()) =>
    new SignJWT(claims).setProtectedHeader({ alg, kid }).sign(key)

  beforeAll(async () => {
    const jwks = JSON.stringify({ keys: [jwk(rsa.publicKey, 'rsa-1', 'RS256'), jwk(ec.publicKey, 'ec-1', 'ES256')] })
    jwksServer = createServer((_request, response) => {
      jwksRequests += 1
      response.writeHead(200, { 'Content-Type': 'application/json' }).end(jwks)
    })
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve))
    jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`
    api = inProcessApp({ jwksUrl })
  })
  afterAll(async () => {
    await api?.close()
    await new Promise((resolve) => jwksServer?.close(resolve))
  })

  it('accepts RS256 and ES256 tokens signed by keys of the JWKS, fetching it once', async () => {
    expect((await listOrders(api, await signed('RS256', rsa.privateKey, 'rsa-1'))).status).toBe(200)
    expect((await listOrders(api, await signed('ES256', ec.privateKey, 'ec-1'))).status).toBe(200)
    expect(jwksRequests).toBe(1)
  })

  it('refuses an HS256 token, even one signed with the embedded secret or with the public key as secret', async () => {
    const withSecret = await listOrders(api, await hs256(validClaims()))
    expect(withSecret.status).toBe(401)
    expect(withSecret.body.detail).toContain('signing algorithm is not accepted')
    const publicPem = rsa.publicKey.export({ type: 'spki', format: 'pem' })
    const confused = await listOrders(api, await hs256(validClaims(), new TextEncoder().encode(String(publicPem))))
    expect(confused.status).toBe(401)
    expect(confused.body.detail).toContain('signing algorithm is not accepted')
  })

  it('refuses alg none, a key the JWKS does not hold, and the wrong issuer, audience or expiry', async () => {
    expect((await listOrders(api, unsigned(validClaims(), 'c2ln'))).status).toBe(401)
    const foreign = await listOrders(api, await signed('RS256', stranger.privateKey, 'rsa-1'))
    expect(foreign.status).toBe(401)
    const unknownKid = await listOrders(api, await signed('RS256', stranger.privateKey, 'rsa-unknown'))
    expect(unknownKid.status).toBe(401)
    expect(unknownKid.body.detail).toContain('not signed by a key of the identity provider')
    for (const [change, reason] of [
      [{ iss: 'https://evil.example' }, `"iss" claim is not accepted`],
      [{ aud: 'another-api' }, `"aud" claim is not accepted`],
      [{ exp: undefined }, `no "exp" claim`],
      [{ exp: now() - 3_600, iat: now() - 7_200 }, 'has expired'],
    ] as const) {
      const answer = await listOrders(api, await signed('ES256', ec.privateKey, 'ec-1', { ...validClaims(), ...change }))
      expect(answer.status).toBe(401)
      expect(answer.body.detail).toContain(reason)
    }
  })

  it('answers 503, not 401, when the identity provider cannot be reached', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    const unreachable = inProcessApp({ jwksUrl: `http://127.0.0.1:${port}/jwks.json` })
    try {
      const answer = await listOrders(unreachable, await signed('RS256', rsa.privateKey, 'rsa-1'))
      expect(answer.status).toBe(503)
      expect(answer.body.code).toBe('service_unavailable')
    } finally {
      await unreachable.close()
    }
  })
})
