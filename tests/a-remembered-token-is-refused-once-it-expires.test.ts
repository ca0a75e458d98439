import { setTimeout as sleep } from 'node:timers/promises'
import { SignJWT } from 'jose'
import { afterAll, describe, expect, it } from 'vitest'
import { apiDefaults } from '../config.js'
import { jwtSecret } from './support/http-stack.js'
import { type InProcessApp, inProcessApp } from './support/in-process-app.js'

/** A customer token that expires `seconds` from now (whole seconds, as `exp` is). */
async function tokenExpiringIn(seconds: number) {
  const exp = Math.floor(Date.now() / 1000) + seconds
  const token = await new SignJWT({ role: 'customer' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject('cust_short_lived')
    .setIssuer(apiDefaults.jwtIssuer)
    .setAudience(apiDefaults.jwtAudience)
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(jwtSecret))
  return { token, expiresAtMs: exp * 1000 }
}

describe('a token the API has verified and remembers', () => {
  const apps: InProcessApp[] = []
  afterAll(() => Promise.all(apps.map((api) => api.close())))

  it('passes on each request until its exp, and is refused 401 once past it, as a token never seen would be', async () => {
    const api = inProcessApp({ jwtClockToleranceSeconds: 0 })
    apps.push(api)
    const { token, expiresAtMs } = await tokenExpiringIn(4)
    const orders = async () => {
      const answer = await api.app.request('/v1/orders', { headers: { Authorization: `Bearer ${token}` } })
      return { status: answer.status, body: (await answer.json()) as { detail?: string } }
    }
    // Verified once, then answered from what the API remembers.
    const before = [await orders(), await orders(), await orders()]
    await sleep(Math.max(0, expiresAtMs - Date.now()) + 200)
    const after = await orders()
    console.log(
      `before exp: ${before.map((answer) => answer.status).join(', ')}; 200 ms after exp: ${after.status} "${after.body.detail}"`,
    )
    expect(before.map((answer) => answer.status)).toEqual([200, 200, 200])
    expect(after).toMatchObject({ status: 401, body: { detail: 'The bearer token has expired' } })
  })
})
