import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type OrderPageOptions, orderPageQuery } from '../db/order-queries.js'
import { type HttpStack, startHttpStack } from './support/http-stack.js'
import type { FulfillmentStatus, OrderStatus, PaymentMethod, PaymentStatus } from '../domain/vocabulary.js'

let stack: HttpStack
let alice: string
let aliceToken: string
let bob: string
let admin: string

/** Orders placed in 2001, a window no other test writes to, so admin queries see only these. */
const base = Date.parse('2001-03-01T00:00:00.000Z')
const minute = 60_000

interface Seed {
  customer: 'alice' | 'bob'
  minutes: number
  status: OrderStatus
  paymentStatus: PaymentStatus
  fulfillmentStatus: FulfillmentStatus
  paymentMethod: PaymentMethod
}

const seeds: Seed[] = [
  {
    customer: 'alice',
    minutes: 0,
    status: 'DELIVERED',
    paymentStatus: 'PAID',
    fulfillmentStatus: 'DELIVERED',
    paymentMethod: 'card',
  },
  {
    customer: 'alice',
    minutes: 1,
    status: 'CANCELLED',
    paymentStatus: 'VOIDED',
    fulfillmentStatus: 'UNFULFILLED',
    paymentMethod: 'card',
  },
  {
    customer: 'alice',
    minutes: 2,
    status: 'CONFIRMED',
    paymentStatus: 'AUTHORIZED',
    fulfillmentStatus: 'LABEL_CREATED',
    paymentMethod: 'card',
  },
  {
    customer: 'alice',
    minutes: 3,
    status: 'CONFIRMED',
    paymentStatus: 'PENDING',
    fulfillmentStatus: 'LABEL_CREATED',
    paymentMethod: 'cod',
  },
  {
    customer: 'alice',
    minutes: 4,
    status: 'SHIPPED',
    paymentStatus: 'PAID',
    fulfillmentStatus: 'IN_TRANSIT',
    paymentMethod: 'card',
  },
  {
    customer: 'alice',
    minutes: 5,
    status: 'CONFIRMED',
    paymentStatus: 'AUTHORIZED',
    fulfillmentStatus: 'LABEL_CREATED',
    paymentMethod: 'card',
  },
  {
    customer: 'bob',
    minutes: 6,
    status: 'CONFIRMED',
    paymentStatus: 'AUTHORIZED',
    fulfillmentStatus: 'LABEL_CREATED',
    paymentMethod: 'card',
  },
  {
    customer: 'bob',
    minutes: 7,
    status: 'AWAITING_CONFIRMATION',
    paymentStatus: 'PENDING',
    fulfillmentStatus: 'UNFULFILLED',
    paymentMethod: 'cod',
  },
]
const seededIds: string[] = []

beforeAll(async () => {
  stack = await startHttpStack()
  alice = `cust_alice_${randomUUID().slice(0, 8)}`
  bob = `cust_bob_${randomUUID().slice(0, 8)}`
  aliceToken = await stack.token('customer', alice)
  admin = await stack.token('admin', 'admin_lists')
  for (const seed of seeds) {
    const id = randomUUID()
    seededIds.push(id)
    const at = new Date(base + seed.minutes * minute)
    await stack.services.db
      .insertInto('orders')
      .values({
        id,
        customer_id: seed.customer === 'alice' ? alice : bob,
        status: seed.status,
        payment_status: seed.paymentStatus,
        fulfillment_status: seed.fulfillmentStatus,
        payment_method: seed.paymentMethod,
        currency: 'USD',
        subtotal: 1_000,
        shipping: 0,
        total: 1_000,
        lines: JSON.stringify([]),
        shipping_address: JSON.stringify({}),
        payment: JSON.stringify({}),
        shipment: null,
        cancellation: null,
        cod_confirmation_deadline: null,
        version: 1,
        created_at: at,
        updated_at: at,
      })
      .execute()
  }
})
afterAll(() => stack?.close())

/** The seeded orders' ids, newest first, that match. */
function expected(match: (seed: Seed) => boolean): string[] {
  return seeds
    .map((seed, index) => ({ seed, id: seededIds[index]! }))
    .filter(({ seed }) => match(seed))
    .sort((a, b) => b.seed.minutes - a.seed.minutes)
    .map(({ id }) => id)
}

async function ids(query: string, token: string): Promise<string[]> {
  const answer = await stack.call('GET', `/v1/orders?${query}`, { token })
  expect(answer.status, JSON.stringify(answer.body)).toBe(200)
  return answer.body.data.map((order: { id: string }) => order.id)
}

const in2001 = 'createdFrom=2001-03-01&createdTo=2001-03-02'

describe('GET /v1/orders filters', () => {
  it("narrow a customer's own orders by status, payment status, fulfillment status and payment method", async () => {
    expect(await ids('status=CONFIRMED', aliceToken)).toEqual(
      expected((seed) => seed.customer === 'alice' && seed.status === 'CONFIRMED'),
    )
    expect(await ids('paymentStatus=PAID', aliceToken)).toEqual(
      expected((seed) => seed.customer === 'alice' && seed.paymentStatus === 'PAID'),
    )
    expect(await ids('fulfillmentStatus=LABEL_CREATED&paymentMethod=card', aliceToken)).toEqual(
      expected(
        (seed) => seed.customer === 'alice' && seed.fulfillmentStatus === 'LABEL_CREATED' && seed.paymentMethod === 'card',
      ),
    )
    expect(await ids('paymentMethod=cod', aliceToken)).toEqual(
      expected((seed) => seed.customer === 'alice' && seed.paymentMethod === 'cod'),
    )
  })

  it('take a created-at range: from inclusive, to exclusive, as dates or date-times with a zone', async () => {
    const from = new Date(base + 2 * minute).toISOString()
    const to = new Date(base + 5 * minute).toISOString()
    expect(await ids(`createdFrom=${from}&createdTo=${to}`, aliceToken)).toEqual(
      expected((seed) => seed.customer === 'alice' && seed.minutes >= 2 && seed.minutes < 5),
    )
    const threeMinutesIn = encodeURIComponent('2001-03-01T01:03:00+01:00')
    expect(await ids(`createdFrom=2001-02-28&createdTo=${threeMinutesIn}`, aliceToken)).toEqual(
      expected((seed) => seed.customer === 'alice' && seed.minutes < 3),
    )
  })

  it('page through a filtered list with the cursor, newest first, without gaps or repeats', async () => {
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const query: string = `${in2001}&paymentMethod=card&limit=2${cursor ? `&cursor=${cursor}` : ''}`
      const page = await stack.call('GET', `/v1/orders?${query}`, { token: admin })
      expect(page.status).toBe(200)
      expect(page.body.data.length).toBeLessThanOrEqual(2)
      seen.push(...page.body.data.map((order: { id: string }) => order.id))
      cursor = page.body.nextCursor
    } while (cursor)
    expect(seen).toEqual(expected((seed) => seed.paymentMethod === 'card'))
  })

  it('let admins see every customer, or one with customerId; a customer sending customerId is told it is for admins', async () => {
    expect(await ids(in2001, admin)).toEqual(expected(() => true))
    expect(await ids(`${in2001}&customerId=${bob}`, admin)).toEqual(expected((seed) => seed.customer === 'bob'))
    expect(await ids(`${in2001}&customerId=${bob}&status=CONFIRMED`, admin)).toEqual(
      expected((seed) => seed.customer === 'bob' && seed.status === 'CONFIRMED'),
    )
    expect(await ids(in2001, aliceToken)).toEqual(expected((seed) => seed.customer === 'alice'))

    const refused = await stack.call('GET', `/v1/orders?customerId=${bob}`, { token: aliceToken })
    expect(refused.status).toBe(400)
    expect(refused.headers.get('content-type')).toBe('application/problem+json')
    expect(refused.body.errors).toEqual([{ in: 'query', field: 'customerId', reason: expect.stringContaining('admins') }])
  })

  it.each([
    ['status=LOST', 'status'],
    ['paymentStatus=paid', 'paymentStatus'],
    ['fulfillmentStatus=TELEPORTED', 'fulfillmentStatus'],
    ['paymentMethod=cash', 'paymentMethod'],
    ['limit=101', 'limit'],
    ['limit=0', 'limit'],
    ['limit=ten', 'limit'],
    ['createdFrom=yesterday', 'createdFrom'],
    ['createdFrom=2001-02-30', 'createdFrom'],
    ['createdTo=2001-03-01T10:00:00', 'createdTo'],
    ['createdFrom=2001-03-02&createdTo=2001-03-01', 'createdTo'],
    ['cursor=not-a-cursor', 'cursor'],
    ['sort=oldest', 'sort'],
    ['status=CONFIRMED&status=SHIPPED', 'status'],
  ])('reject %s with a 400 naming %s', async (query, field) => {
    const answer = await stack.call('GET', `/v1/orders?${query}`, { token: admin })
    expect(answer.status).toBe(400)
    expect(answer.headers.get('content-type')).toBe('application/problem+json')
    expect(answer.body.errors).toEqual([expect.objectContaining({ in: 'query', field })])
  })
})

interface PlanNode {
  'Node Type': string
  'Index Name'?: string
  Plans?: PlanNode[]
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)]
}

describe('a filtered page at scale', () => {
  it('is one index range scan in newest-first order, never a sequential scan or a sort, over 50,000 orders, 1,000 per customer', async () => {
    const none: OrderPageOptions = {
      customerId: null,
      status: null,
      paymentStatus: null,
      fulfillmentStatus: null,
      paymentMethod: null,
      createdFrom: null,
      createdTo: null,
      limit: 20,
      cursor: null,
    }
    const cursor = { createdAt: '1990-06-01T00:00:00.000Z', id: 'ffffffff-ffff-4fff-bfff-ffffffffffff' }
    const cases: Array<{ options: OrderPageOptions; index: string }> = [
      { options: { ...none, status: 'CONFIRMED' }, index: 'orders_status_newest_first' },
      { options: { ...none, status: 'SHIPPED', cursor }, index: 'orders_status_newest_first' },
      { options: { ...none, customerId: 'scale-42', status: 'DELIVERED' }, index: 'orders_customer_status_newest_first' },
      { options: { ...none, customerId: 'scale-42' }, index: 'orders_customer_newest_first' },
      { options: { ...none, paymentStatus: 'REFUNDED' }, index: 'orders_payment_status_newest_first' },
      { options: { ...none, fulfillmentStatus: 'IN_TRANSIT', cursor }, index: 'orders_fulfillment_status_newest_first' },
      { options: { ...none, paymentMethod: 'cod' }, index: 'orders_newest_first' },
      {
        options: { ...none, createdFrom: new Date('1990-03-01T00:00:00Z'), createdTo: new Date('1990-04-01T00:00:00Z') },
        index: 'orders_newest_first',
      },
      { options: { ...none, cursor }, index: 'orders_newest_first' },
    ]

    // Seeded and measured inside one transaction that is rolled back: the shared database keeps none of it.
    const plans = await stack.services.db
      .transaction()
      .execute(async (trx) => {
        await sql`
          insert into orders (id, customer_id, status, payment_status, fulfillment_status, payment_method, currency,
                              subtotal, shipping, total, lines, shipping_address, payment, version, created_at, updated_at)
          select gen_random_uuid(),
                 'scale-' || (i % 50),
                 (array['PENDING','AWAITING_CONFIRMATION','CONFIRMED','SHIPPED','DELIVERED','CANCELLED','RETURNED'])[1 + i % 7],
                 (array['PENDING','AUTHORIZED','PAID','VOIDED','REFUNDED','FAILED'])[1 + i % 6],
                 (array['UNFULFILLED','LABEL_CREATED','PICKED_UP','IN_TRANSIT','OUT_FOR_DELIVERY','DELIVERED'])[1 + i % 6],
                 (array['card','cod'])[1 + i % 2],
                 'USD', 1000, 0, 1000, '[]', '{}', '{}', 1,
                 timestamptz '1990-01-01 00:00:00+00' + i * interval '1 minute',
                 timestamptz '1990-01-01 00:00:00+00' + i * interval '1 minute'
          from generate_series(1, 50000) as i`.execute(trx)
        await sql`analyze orders`.execute(trx)
        const explained: Array<{ index: string; plan: PlanNode }> = []
        for (const { options, index } of cases) {
          const compiled = orderPageQuery(trx, options).compile()
          const result = await trx.executeQuery<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>({
            ...compiled,
            sql: `explain (format json) ${compiled.sql}`,
          })
          explained.push({ index, plan: result.rows[0]!['QUERY PLAN'][0]!.Plan })
        }
        throw new Rollback(explained)
      })
      .catch((error: unknown) => {
        if (error instanceof Rollback) return error.plans
        throw error
      })

    for (const { index, plan } of plans) {
      const types = nodes(plan).map((node) => node['Node Type'])
      expect(types, JSON.stringify(plan)).not.toContain('Seq Scan')
      expect(types, JSON.stringify(plan)).not.toContain('Sort')
      expect(types, JSON.stringify(plan)).not.toContain('Bitmap Heap Scan')
      const scans = nodes(plan).filter((node) => node['Node Type'] === 'Index Scan' || node['Node Type'] === 'Index Only Scan')
      expect(
        scans.map((node) => node['Index Name']),
        JSON.stringify(plan),
      ).toEqual([index])
    }
    const left = await stack.services.db
      .selectFrom('orders')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('customer_id', 'like', 'scale-%')
      .executeTakeFirstOrThrow()
    expect(left.n).toBe(0)
  })
})

/** Thrown to roll the seeding transaction back, carrying what was measured. */
class Rollback extends Error {
  constructor(readonly plans: Array<{ index: string; plan: PlanNode }>) {
    super('rollback')
  }
}
