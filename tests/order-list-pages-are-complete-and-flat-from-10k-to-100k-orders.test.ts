/**
 * `GET /v1/orders` pages by keyset on (created_at, id), newest first, over
 * the index that matches that order: paging a customer's 100 orders 20 at a
 * time returns each exactly once, in order, even with orders sharing a
 * timestamp and a new one placed mid-way; and a page of 50 reads the same 51
 * index entries with 10,000 orders in the table as with 100,000 (EXPLAIN
 * ANALYZE), for a customer and for an admin. A database of its own, so the
 * counts are this file's.
 */
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type OrderPageOptions, orderPageQuery } from '../db/order-queries.js'
import { type FreshDatabase, createFreshDatabase } from './support/fresh-database.js'
import { type HttpStack, startHttpStack } from './support/http-stack.js'

let fresh: FreshDatabase
let stack: HttpStack

/**
 * Adds orders `from`..`to`: a hundred customers in turn, three orders to a
 * timestamp (so the id breaks ties), one second apart. The table's triggers
 * (change notices, metric counts) are off meanwhile, this database being the
 * file's own: 90,000 of each would only slow the seeding down.
 */
async function seed(from: number, to: number): Promise<void> {
  await sql`alter table orders disable trigger user`.execute(stack.services.db)
  await sql`
    insert into orders (id, customer_id, status, payment_status, fulfillment_status, payment_method, currency,
                        subtotal, shipping, total, lines, shipping_address, payment, version, created_at, updated_at)
    select gen_random_uuid(), 'scale-' || (i % 100),
           (array['PENDING','AWAITING_CONFIRMATION','CONFIRMED','SHIPPED','DELIVERED','CANCELLED','RETURNED'])[1 + i % 7],
           'PENDING', 'UNFULFILLED', (array['card','cod'])[1 + i % 2], 'USD', 1000, 0, 1000,
           '[]', ${JSON.stringify({ name: 'A', line1: 'B', line2: null, city: 'C', region: null, postalCode: 'D', country: 'GB' })},
           ${JSON.stringify({ authorized: 0, captured: 0, refunded: 0 })}, 1,
           timestamptz '2020-01-01 00:00:00+00' + (i / 3) * interval '1 second',
           timestamptz '2020-01-01 00:00:00+00' + (i / 3) * interval '1 second'
    from generate_series(${from}::int, ${to}::int) as i`.execute(stack.services.db)
  await sql`alter table orders enable trigger user`.execute(stack.services.db)
  await sql`analyze orders`.execute(stack.services.db)
}

beforeAll(async () => {
  fresh = await createFreshDatabase()
  stack = await startHttpStack({ databaseUrl: fresh.url, changeFeedName: 'order-list-scale-feed' })
  await seed(1, 10_000)
}, 180_000)
afterAll(async () => {
  await stack?.close()
  await fresh?.drop()
}, 60_000)

interface PlanNode {
  'Node Type': string
  'Index Name'?: string
  'Actual Rows'?: number
  'Actual Loops'?: number
  'Shared Hit Blocks'?: number
  'Shared Read Blocks'?: number
  Plans?: PlanNode[]
}

const nodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)]

const firstPage: OrderPageOptions = {
  customerId: null,
  status: null,
  paymentStatus: null,
  fulfillmentStatus: null,
  paymentMethod: null,
  createdFrom: null,
  createdTo: null,
  limit: 50,
  cursor: null,
}

/** What the first page of 50 costs: the index scanned, the entries it read, the blocks it touched, the time it took. */
async function pageCost(options: OrderPageOptions) {
  const compiled = orderPageQuery(stack.services.db, options).compile()
  const result = await stack.services.db.executeQuery<{ 'QUERY PLAN': Array<{ Plan: PlanNode; 'Execution Time': number }> }>({
    ...compiled,
    sql: `explain (analyze, buffers, format json) ${compiled.sql}`,
  })
  const explained = result.rows[0]!['QUERY PLAN'][0]!
  const all = nodes(explained.Plan)
  const scans = all.filter((node) => node['Node Type'] === 'Index Scan' || node['Node Type'] === 'Index Only Scan')
  return {
    types: all.map((node) => node['Node Type']),
    indexes: scans.map((node) => node['Index Name']),
    entriesRead: scans.reduce((sum, node) => sum + (node['Actual Rows'] ?? 0) * (node['Actual Loops'] ?? 1), 0),
    blocks: scans.reduce((sum, node) => sum + (node['Shared Hit Blocks'] ?? 0) + (node['Shared Read Blocks'] ?? 0), 0),
    ms: explained['Execution Time'],
    plan: JSON.stringify(explained.Plan),
  }
}

/** The median time of `rounds` first pages over HTTP. */
async function httpPageMs(token: string, rounds = 15): Promise<number> {
  const times: number[] = []
  for (let round = 0; round < rounds; round += 1) {
    const started = performance.now()
    const page = await stack.call('GET', '/v1/orders?limit=50', { token })
    times.push(performance.now() - started)
    expect(page.status).toBe(200)
    expect(page.body.data).toHaveLength(50)
  }
  return times.sort((a, b) => a - b)[Math.floor(rounds / 2)]!
}

describe('GET /v1/orders', () => {
  it("pages through a customer's 100 orders 20 at a time: each once, newest first, ties broken by id, a new order not shifting them", async () => {
    const token = await stack.token('customer', 'scale-3')
    const expected = (
      await stack.services.db
        .selectFrom('orders')
        .select('id')
        .where('customer_id', '=', 'scale-3')
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .execute()
    ).map((row) => row.id)
    expect(expected).toHaveLength(100)

    const seen: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const page: { status: number; body: { data: Array<{ id: string }>; nextCursor: string | null } } = await stack.call(
        'GET',
        `/v1/orders?limit=20${cursor ? `&cursor=${cursor}` : ''}`,
        { token },
      )
      expect(page.status).toBe(200)
      seen.push(...page.body.data.map((order) => order.id))
      cursor = page.body.nextCursor
      pages += 1
      // A newer order placed while the customer pages: it belongs before the first page, so later pages are unchanged.
      if (pages === 1) await seed(20_003, 20_003)
    } while (cursor)

    expect(pages).toBe(5)
    expect(new Set(seen).size).toBe(seen.length)
    expect(seen).toEqual(expected)
    expect(stack.contractViolations).toEqual([])
  }, 120_000)

  it('reads the same 51 index entries for a page of 50 with 10,000 orders as with 100,000, for a customer and an admin', async () => {
    const customerToken = await stack.token('customer', 'scale-7')
    const adminToken = await stack.token('admin', 'admin_scale')
    const cases = [
      { who: 'customer', options: { ...firstPage, customerId: 'scale-7' }, index: 'orders_customer_newest_first' },
      { who: 'admin', options: firstPage, index: 'orders_newest_first' },
    ]
    const measure = async () => ({
      plans: await Promise.all(cases.map((c) => pageCost(c.options))),
      customerHttpMs: await httpPageMs(customerToken),
      adminHttpMs: await httpPageMs(adminToken),
    })

    const small = await measure()
    await seed(10_001, 100_000)
    const large = await measure()

    for (const [index, { who, index: name }] of cases.entries()) {
      for (const [size, measured] of [
        ['10k', small],
        ['100k', large],
      ] as const) {
        const cost = measured.plans[index]!
        console.log(
          `${who} page of 50 at ${size} orders: ${name}, ${cost.entriesRead} entries, ${cost.blocks} blocks, ` +
            `${cost.ms.toFixed(3)} ms in PostgreSQL`,
        )
        expect(cost.types, cost.plan).not.toContain('Seq Scan')
        expect(cost.types, cost.plan).not.toContain('Sort')
        expect(cost.indexes, cost.plan).toEqual([name])
        expect(cost.entriesRead, cost.plan).toBe(51)
      }
      // The index is one level deeper at most: the page touches about as many blocks.
      expect(large.plans[index]!.blocks).toBeLessThanOrEqual(small.plans[index]!.blocks + 3)
    }
    console.log(
      `GET /v1/orders?limit=50 median over HTTP: customer ${small.customerHttpMs.toFixed(1)} ms at 10k → ` +
        `${large.customerHttpMs.toFixed(1)} ms at 100k; admin ${small.adminHttpMs.toFixed(1)} ms → ${large.adminHttpMs.toFixed(1)} ms`,
    )
    expect(stack.contractViolations).toEqual([])
  }, 240_000)
})
