/**
 * The bench's baselines: workflows that do only what their figure needs, with
 * nothing of the engine's bookkeeping (no read model, no notifications, no
 * timeline, no search attributes). Registered by `baseline-worker-process.ts`
 * on the bench's own task queue.
 */
import { condition, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow'
import type { OrderActivities } from '../activities/order-activities.js'
import type { CarrierEvent, PlaceOrderInput } from '../domain/order-types.js'
import { carrierEventSignal } from '../workflows/messages.js'

const steps = proxyActivities<OrderActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
})

/** An admin's go-ahead for a cash-on-delivery order in {@link bareOrderWorkflow}. */
export const bareCodConfirmationSignal = defineSignal('bareCodConfirmation')

/**
 * An order with only the calls an order needs: price, reserve, authorize (or
 * wait for the COD confirmation), label, then the carrier's events until
 * delivery, committing stock and capturing at pickup.
 */
export async function bareOrderWorkflow(input: PlaceOrderInput): Promise<'DELIVERED'> {
  const events: CarrierEvent[] = []
  let codConfirmed = false
  setHandler(carrierEventSignal, (event) => void events.push(event))
  setHandler(bareCodConfirmationSignal, () => void (codConfirmed = true))

  const { orderId, currency } = input
  const priced = await steps.priceOrder({ orderId, lines: input.lines, currency })
  await steps.reserveStock({ orderId, lines: input.lines })
  const amount = { amount: priced.totals.total, currency }
  let reference: string | null = null
  if (input.payment.method === 'card') {
    reference = (await steps.authorizePayment({ orderId, provider: 'sandbox', amount, token: input.payment.token })).reference
  } else {
    await condition(() => codConfirmed)
  }
  await steps.createShipment({ orderId, address: input.shippingAddress, lines: input.lines })
  for (let seen = 0; ; seen += 1) {
    await condition(() => events.length > seen)
    const status = events[seen]?.status
    if (status === 'PICKED_UP') {
      await steps.commitStock({ orderId })
      if (reference) await steps.capturePayment({ orderId, provider: 'sandbox', reference, amount })
    }
    if (status === 'DELIVERED') return 'DELIVERED'
  }
}

/** Nothing at all: the server's ceiling on starting and finishing workflows. */
export async function emptyWorkflow(): Promise<void> {}

/** Waits forever, holding nothing: a worker's memory cost of a parked workflow. */
export async function parkedWorkflow(): Promise<void> {
  await condition(() => false)
}
