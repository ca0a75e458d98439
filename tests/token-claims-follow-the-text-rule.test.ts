import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signAccessToken } from '../api/auth.js'
import { jwtSecret } from './support/http-stack.js'
import { type InProcessApp, inProcessApp } from './support/in-process-app.js'

/** A genuine HS256 token for `sub`: signed with the API's secret, so only the claim itself can be refused. */
function tokenFor(sub: string) {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({ sub, role: 'customer', iss: 'order-engine', aud: 'order-engine-api', iat: now, exp: now + 600 })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new TextEncoder().encode(jwtSecret))
}

let api: InProcessApp
beforeAll(() => {
  api = inProcessApp()
})
afterAll(() => api?.close())

async function listOrders(token: string) {
  const response = await api.app.request('/v1/orders', { headers: { Authorization: `Bearer ${token}` } })
  const body = (await response.json()) as { code?: string; detail?: string }
  return { status: response.status, type: response.headers.get('content-type'), body }
}

describe("a bearer token's sub claim follows the text rule of the whole contract", () => {
  it.each([
    ['a NUL', 'cust\u0000_42', /"sub" claim contains U\+0000, a control character, at character 5/],
    ['a lone surrogate', 'cust\ud800_42', /"sub" claim contains U\+D800, an unpaired UTF-16 surrogate/],
    ['an escape sequence', 'cust\u001b[31m', /"sub" claim contains U\+001B, a control character/],
    ['a C1 control', 'cust\u0085', /"sub" claim contains U\+0085/],
    ['10 KiB of text', 'c'.repeat(10_240), /"sub" claim must be at most 200 characters/],
  ])('refuses %s with 401 and says why', async (_what, sub, detail) => {
    const answer = await listOrders(await tokenFor(sub))
    console.log(`sub with ${_what}: ${answer.status} ${answer.body.detail}`)
    expect(answer).toMatchObject({ status: 401, type: 'application/problem+json', body: { code: 'unauthenticated' } })
    expect(answer.body.detail).toMatch(detail)
  })

  it('accepts a subject in any script, with emoji and combining marks', async () => {
    const answer = await listOrders(await tokenFor('kunde_Zoë_Ελένη_山田_🚀_e\u0301'))
    expect(answer.status).toBe(200)
  })

  it('is never signed by signAccessToken when the API would refuse it', async () => {
    await expect(signAccessToken(jwtSecret, { subject: 'x'.repeat(201), role: 'admin' })).rejects.toThrow(
      'The subject must be at most 200 characters',
    )
    await expect(signAccessToken(jwtSecret, { subject: 'a\u0000b', role: 'admin' })).rejects.toThrow(RangeError)
  })
})
