/**
 * An Idempotency-Key held by a request in flight is a short lease its
 * process renews. A live holder, however slow, keeps its key (retries get
 * 409); a holder that died (SIGKILL, as a crash) frees it within the lease,
 * seconds rather than the minute it used to take.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { IDEMPOTENCY_LEASE_MS } from '../commerce/idempotency-key.js'
import { createProducts, shippingAddressInput } from './support/fixtures.js'
import { type HttpStack, startHttpStack } from './support/http-stack.js'

let stack: HttpStack
const holders: ChildProcess[] = []

beforeAll(async () => {
  stack = await startHttpStack()
})
afterAll(async () => {
  for (const holder of holders) if (holder.exitCode === null) holder.kill('SIGKILL')
  await stack?.close()
})

/** Starts a separate process that claims the key as an API process would, and waits until it holds it. */
async function startHolder(subject: string, key: string, body: unknown): Promise<{ process: ChildProcess; orderId: string }> {
  const script = fileURLToPath(new URL('./support/hold-idempotency-key.ts', import.meta.url))
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: {
      ...process.env,
      DATABASE_URL: inject('databaseUrl'),
      HOLD_SUBJECT: subject,
      HOLD_KEY: key,
      HOLD_BODY: JSON.stringify(body),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  holders.push(child)
  const lines = createInterface({ input: child.stdout! })
  const [line] = (await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(([code]) => Promise.reject(new Error(`the holder exited with ${code} before holding the key`))),
  ])) as [string]
  return { process: child, orderId: (JSON.parse(line) as { orderId: string }).orderId }
}

describe('an Idempotency-Key claimed by another process', () => {
  it('stays 409 while that process lives past its lease, and is free within seconds of its death', async () => {
    const subject = `cust_${randomUUID().slice(0, 8)}`
    const token = await stack.token('customer', subject)
    const [sku] = await createProducts(stack.services.db, [{ onHand: 5 }])
    const body = { lines: [{ sku, quantity: 1 }], paymentMethod: 'cod', shippingAddress: shippingAddressInput }
    const key = randomUUID()
    const place = () => stack.call('POST', '/v1/orders', { token, body, headers: { 'Idempotency-Key': key } })

    const holder = await startHolder(subject, key, body)
    // Alive and slow: well past one lease, the key is still the holder's.
    const aliveUntil = Date.now() + IDEMPOTENCY_LEASE_MS * 1.5
    let retriesWhileAlive = 0
    while (Date.now() < aliveUntil) {
      const busy = await place()
      expect(busy.status).toBe(409)
      expect(busy.body.code).toBe('idempotency_key_in_flight')
      retriesWhileAlive += 1
      await new Promise((resolve) => setTimeout(resolve, 1_000))
    }

    holder.process.kill('SIGKILL')
    await once(holder.process, 'exit')
    const diedAt = Date.now()
    let placed = await place()
    while (placed.status === 409 && Date.now() - diedAt < 60_000) {
      await new Promise((resolve) => setTimeout(resolve, 250))
      placed = await place()
    }
    const freedAfterMs = Date.now() - diedAt
    console.log(
      `lease ${IDEMPOTENCY_LEASE_MS} ms: ${retriesWhileAlive} retries got 409 over ${IDEMPOTENCY_LEASE_MS * 1.5} ms while the holder lived;` +
        ` ${freedAfterMs} ms after SIGKILL a retry got ${placed.status} (order ${placed.body.id}, the holder's was ${holder.orderId})`,
    )
    expect(placed.status).toBe(201)
    // Within one lease of the death (with room for a loaded machine), not the old 60 s.
    expect(freedAfterMs).toBeLessThan(IDEMPOTENCY_LEASE_MS + 15_000)
    // The order id the dead request decided is kept: still one order for the key.
    expect(placed.body.id).toBe(holder.orderId)
    expect(stack.contractViolations).toEqual([])
  }, 120_000)
})
