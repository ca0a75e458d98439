/**
 * Reads: `GET /v1/orders/:id` (an order whose workflow is running, and one
 * that exists only in the read model) and a page of `GET /v1/orders` against
 * a bare `node:http` + `pg` handler running the same indexed SELECT, with
 * 10,000 and then 100,000 orders in the table. The rows are seeded with one
 * `generate_series` INSERT, copies of a real order, not through workflows.
 */
import { sql } from 'kysely'
import type { BenchStack } from '../bench-stack.js'
import type { Figure } from '../figure.js'
import { closedLoop, failuresOf } from '../load.js'
import { orderInReadModel, placeThroughApi } from '../order-driver.js'
import { type Row, alternate, row } from '../report.js'
import { percentile } from '../stats.js'

const reader = 'cust_bench_reader'

/**
 * Copies the template order until the table holds `total` orders: one in ten
 * the reader's, the rest spread over a thousand customers, one a second into
 * the past. The change-feed trigger is off meanwhile, so no API process is
 * told about rows nobody changed.
 */
async function seedOrders(stack: BenchStack, templateId: string, total: number): Promise<string> {
  const { count } = await stack.db
    .selectFrom('orders')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow()
  const from = Number(count)
  await sql`alter table orders disable trigger orders_notify_change`.execute(stack.db)
  await sql`
    insert into orders (id, customer_id, status, payment_status, fulfillment_status, payment_method, currency, subtotal,
      shipping, total, lines, shipping_address, payment, shipment, cancellation, cod_confirmation_deadline, version,
      created_at, updated_at)
    select gen_random_uuid(), case when g % 10 = 0 then ${reader} else 'cust_seeded_' || (g % 1000) end, o.status,
      o.payment_status, o.fulfillment_status, o.payment_method, o.currency, o.subtotal, o.shipping, o.total, o.lines,
      o.shipping_address, o.payment, o.shipment, o.cancellation, o.cod_confirmation_deadline, o.version,
      o.created_at - make_interval(secs => g), o.updated_at
    from orders o, generate_series(${from + 1}::int, ${total}::int) g
    where o.id = ${templateId}`.execute(stack.db)
  await sql`alter table orders enable trigger orders_notify_change`.execute(stack.db)
  await sql`analyze orders`.execute(stack.db)
  const seeded = await stack.db
    .selectFrom('orders')
    .select('id')
    .where('customer_id', '=', reader)
    .where('id', '!=', templateId)
    .orderBy('created_at')
    .executeTakeFirstOrThrow()
  return seeded.id
}

async function get(url: string, headers: Record<string, string> = {}): Promise<void> {
  const response = await fetch(url, { headers })
  await response.arrayBuffer()
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}`)
}

export const reads: Figure = {
  name: 'reads',
  async run({ stack, rounds, size, note }) {
    const token = await stack.token('customer', reader)
    const auth = { Authorization: `Bearer ${token}` }
    const liveId = await placeThroughApi(stack, token, 'card')
    await orderInReadModel(stack, liveId, ['CONFIRMED'])
    // 200 requests took a fraction of a second and read the API while its code was still being compiled: each side
    // now gets 100 requests first that count in no figure, then 600 that do.
    const count = size(600, 40)
    const warmUp = size(100, 10)
    const inFlight = 8
    const rows: Row[] = []
    const listP50s: Record<number, number[]> = {}
    for (const total of [size(10_000, 1_000), size(100_000, 10_000)]) {
      const storedId = await seedOrders(stack, liveId, total)
      const orders = total.toLocaleString('en')
      const measures = [
        { what: `GET /v1/orders/:id, live workflow, ${orders} orders`, api: `/v1/orders/${liveId}`, bare: `/orders/${liveId}` },
        {
          what: `GET /v1/orders/:id, read model only, ${orders} orders`,
          api: `/v1/orders/${storedId}`,
          bare: `/orders/${storedId}`,
        },
        { what: `GET /v1/orders?limit=50, ${orders} orders`, api: '/v1/orders?limit=50', bare: '/orders?limit=50' },
      ]
      for (const measure of measures) {
        const baselineName = 'bare node:http + pg, same SELECT'
        const goal = measure.api.includes('?') ? '≥ 0.8×' : '≥ 0.5×'
        const throughput = row('reads', `${measure.what}: throughput`, { baselineName, unit: 'req/s', better: 'higher', goal })
        const p50 = row('reads', `${measure.what}: p50`, { baselineName, unit: 'ms', better: 'lower' })
        const p95 = row('reads', `${measure.what}: p95`, { baselineName, unit: 'ms', better: 'lower' })
        for (let round = 0; round < rounds; round++) {
          const bareUrl = `${stack.bareUrl}${measure.bare}${measure.bare.includes('?') ? '&' : '?'}customer=${reader}`
          const record = (side: 'baseline' | 'candidate', result: Awaited<ReturnType<typeof closedLoop>>) => {
            const failed = failuresOf(`${measure.what} (${side})`, result)
            if (failed) note(failed)
            throughput[side].push(result.throughput)
            p50[side].push(percentile(result.latenciesMs, 50))
            p95[side].push(percentile(result.latenciesMs, 95))
          }
          const candidate = () => get(`${stack.apiUrl}${measure.api}`, auth)
          const baseline = () => get(bareUrl)
          await alternate(
            round,
            async () => {
              await closedLoop({ count: warmUp, inFlight }, candidate)
              record('candidate', await closedLoop({ count, inFlight }, candidate))
            },
            async () => {
              await closedLoop({ count: warmUp, inFlight }, baseline)
              record('baseline', await closedLoop({ count, inFlight }, baseline))
            },
          )
        }
        if (measure.api.includes('?')) listP50s[total] = p50.candidate
        rows.push(throughput, p50, p95)
      }
    }
    const [small, large] = Object.keys(listP50s).map(Number)
    const flat = row(
      'reads',
      `GET /v1/orders?limit=50 p50, ${large?.toLocaleString('en')} vs ${small?.toLocaleString('en')} orders`,
      {
        baselineName: `the same at ${small?.toLocaleString('en')} orders`,
        unit: 'ms',
        better: 'lower',
        goal: '≤ 1.2× (flat)',
      },
    )
    flat.baseline.push(...(listP50s[small ?? 0] ?? []))
    flat.candidate.push(...(listP50s[large ?? 0] ?? []))
    rows.push(flat)
    return rows
  },
}
