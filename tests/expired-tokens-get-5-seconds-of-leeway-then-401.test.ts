import { SignJWT } from 'jose'
import { afterAll, describe, expect, it } from 'vitest'
import { apiDefaults, loadConfig } from '../config.js'
import { jwtSecret } from './support/http-stack.js'
import { type InProcessApp, inProcessApp } from './support/in-process-app.js'

/** A customer token whose `exp` was `secondsAgo` seconds ago. */
function expiredToken(secondsAgo: number) {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({ role: 'customer' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject('cust_clock')
    .setIssuer(apiDefaults.jwtIssuer)
    .setAudience(apiDefaults.jwtAudience)
    .setIssuedAt(now - 3_600)
    .setExpirationTime(now - secondsAgo)
    .sign(new TextEncoder().encode(jwtSecret))
}

describe('an expired bearer token', () => {
  const apps: InProcessApp[] = []
  afterAll(() => Promise.all(apps.map((api) => api.close())))
  const orders = async (api: InProcessApp, token: string) => {
    const answer = await api.app.request('/v1/orders', { headers: { Authorization: `Bearer ${token}` } })
    return { status: answer.status, body: (await answer.json()) as { detail?: string } }
  }

  it('is refused 10 s after its exp, and passes within the 5 s leeway for clock skew (the default)', async () => {
    expect(loadConfig({}).auth.clockToleranceSeconds).toBe(5)
    const api = inProcessApp()
    apps.push(api)
    const late = await orders(api, await expiredToken(10))
    const skewed = await orders(api, await expiredToken(2))
    console.log(`default leeway 5 s: expired 10 s ago → ${late.status} "${late.body.detail}"; expired 2 s ago → ${skewed.status}`)
    expect(late).toMatchObject({ status: 401, body: { detail: 'The bearer token has expired' } })
    expect(skewed.status).toBe(200)
  })

  it('gets no leeway at all with JWT_CLOCK_TOLERANCE=0s', async () => {
    const tolerance = loadConfig({ JWT_CLOCK_TOLERANCE: '0s' }).auth.clockToleranceSeconds
    expect(tolerance).toBe(0)
    const api = inProcessApp({ jwtClockToleranceSeconds: tolerance })
    apps.push(api)
    expect((await orders(api, await expiredToken(2))).status).toBe(401)
    expect(() => loadConfig({ JWT_CLOCK_TOLERANCE: '1h' })).toThrow(/JWT_CLOCK_TOLERANCE/)
  })
})
