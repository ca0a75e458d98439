/**
 * Edits of an order before the carrier has any parcel (`editOrder`): the
 * handler queues the edit and the story applies it between carrier news, so
 * a pickup that reached the order first wins and the edit is refused.
 *
 * An edit re-prices the new lines from the catalog, takes an extra
 * authorization for what it adds (declined, or needing the customer again for
 * 3-D Secure or a PayPal approval: refused `payment_declined`, nothing
 * changed; cash on delivery just collects the new total), revises the
 * reservation all-or-nothing (`out_of_stock`: the extra authorization is
 * voided, nothing changed), re-plans the parcels (a parcel whose location,
 * lines or address changed gets its label cancelled and a new one bought),
 * and takes its new total: a lower one is simply captured less at hand-over.
 */
import { upsertSearchAttributes } from '@temporalio/workflow'
import type { OrderEditRefusal, OrderEditRequest } from '../../domain/fulfilment.js'
import { paymentProviderOf } from '../../domain/order-payment.js'
import { handedOver, sameLines } from '../../domain/order-rules.js'
import { stepSummaries } from '../../domain/order-summaries.js'
import type { ShippingAddress } from '../../domain/order-types.js'
import { OrderTotalKey } from '../search-attributes.js'
import { activities, payments } from './activity-proxies.js'
import { businessRefusalOf } from './business-refusal.js'
import type { QueuedEdit } from './order-inbox.js'
import type { OrderRun } from './order-run.js'
import type { ParcelFleet } from './parcel-fleet.js'

/** An edit the order cannot make; nothing was changed. */
class EditRefused extends Error {
  constructor(
    readonly reason: OrderEditRefusal,
    readonly detail: string | null = null,
  ) {
    super(reason)
  }
}

/** Applies (or refuses) the next edit waiting; the handler answers from `queued`. */
export async function applyEdit(run: OrderRun, fleet: ParcelFleet, queued: QueuedEdit): Promise<void> {
  try {
    await edit(run, fleet, queued.request)
  } catch (error) {
    if (!(error instanceof EditRefused)) throw error
    queued.refusal = { reason: error.reason, detail: error.detail }
  } finally {
    queued.done = true
  }
}

async function edit(run: OrderRun, fleet: ParcelFleet, request: OrderEditRequest): Promise<void> {
  const { input, order, inbox } = run
  const state = order.state
  if (handedOver(state) || fleet.pickupArrived) throw new EditRefused('already_shipped', 'the carrier has a parcel')
  const lines = request.lines.map(({ sku, quantity }) => ({ sku, quantity }))
  const address: ShippingAddress = request.shippingAddress ?? state.shippingAddress
  const priced = await priceEdit(run, lines)
  const addressChanged = JSON.stringify(address) !== JSON.stringify(state.shippingAddress)
  if (sameLines(state.lines, lines) && !addressChanged) throw new EditRefused('nothing_changed')
  const before = { total: state.totals.total, lines: state.lines.map(({ sku, quantity }) => ({ sku, quantity })) }
  const added = priced.totals.total - state.totals.total
  const extra = added > 0 ? await authorizeWhatIsAdded(run, added) : null
  const revision = inbox.editsMade + 1
  const kept = addressChanged ? [] : fleet.parcels.map((parcel) => parcel.parcel)
  let plan
  try {
    const revised = await activities.reviseReservation.executeWithOptions(
      { summary: `Revise the reservation for edit ${revision}: ${stepSummaries.reserveStock(lines)}` },
      [{ orderId: input.orderId, revision, lines, shipToCountry: address.country, keptParcels: kept }],
    )
    plan = revised.plan
  } catch (error) {
    if (businessRefusalOf(error)?.type !== 'OutOfStock') throw error
    if (extra) await voidExtra(run, extra.reference, extra.number)
    throw new EditRefused('out_of_stock', businessRefusalOf(error)?.message ?? null)
  }
  inbox.editsMade = revision
  state.lines = priced.lines
  state.totals = priced.totals
  state.shippingAddress = address
  if (extra) {
    state.payment.authorized += extra.amount
    const { reference, amount } = extra
    state.payment.extraAuthorizations = [...(state.payment.extraAuthorizations ?? []), { reference, amount }]
    run.undo.add(() => voidExtra(run, extra.reference, extra.number))
  }
  await fleet.replan(run, plan, addressChanged)
  upsertSearchAttributes([{ key: OrderTotalKey, value: state.totals.total }])
  const message = `Order edited: total ${before.total} → ${state.totals.total} ${state.totals.currency}`
  order.note(request.by, 'order_edited', message, {
    editId: request.editId,
    oldTotal: before.total,
    newTotal: state.totals.total,
    oldLines: before.lines,
    newLines: lines,
    addressChanged,
  })
  order.republishStatus()
  await order.save({ kind: 'edited', occurrence: revision, data: { oldTotal: before.total, newTotal: state.totals.total } })
}

/** Prices the new lines from the catalog; a product unknown, off sale or not sold in the currency refuses the edit. */
async function priceEdit({ input, order }: OrderRun, lines: OrderEditRequest['lines']) {
  const currency = order.state.totals.currency
  try {
    return await activities.priceOrder.executeWithOptions({ summary: stepSummaries.priceOrder(lines, currency) }, [
      { orderId: input.orderId, lines, currency },
    ])
  } catch (error) {
    const refusal = businessRefusalOf(error)
    if (refusal?.type !== 'PricingFailed') throw error
    const problems = (refusal.details?.[0] ?? []) as Array<{ kind: string; sku?: string }>
    if (problems.some((problem) => problem.kind === 'currency_not_sold')) {
      throw new EditRefused('not_sold_in_currency', `not sold in ${currency}`)
    }
    const skus = problems.map((problem) => problem.sku).filter(Boolean)
    throw new EditRefused('unknown_product', skus.length > 0 ? skus.join(', ') : null)
  }
}

/**
 * Holds what the edit adds to the total: an extra authorization, captured with the final capture. Cash on delivery
 * collects the new total at the door instead. A decline, or a provider that needs the customer again (PayPal's
 * approval, 3-D Secure), refuses the edit: the customer would have to come back, and an edit is answered at once.
 */
async function authorizeWhatIsAdded(run: OrderRun, added: number): Promise<ExtraAuthorization | null> {
  const { input, order } = run
  const state = order.state
  if (input.payment.method === 'cod') return null
  if (state.paymentStatus !== 'AUTHORIZED' || !state.payment.reference) {
    throw new EditRefused('payment_declined', 'the payment is not held: it cannot grow')
  }
  if (input.payment.method === 'paypal') {
    throw new EditRefused('payment_declined', 'a higher total needs the customer to approve it with PayPal again')
  }
  const provider = paymentProviderOf(input.payment)
  const amount = { amount: added, currency: state.totals.currency }
  const authorizationNumber = (state.payment.extraAuthorizations?.length ?? 0) + 2
  try {
    const attempt = await payments.authorizePayment.executeWithOptions(
      { summary: stepSummaries.authorizePayment(amount, provider) },
      [{ orderId: input.orderId, provider, amount, token: input.payment.token, authorizationNumber }],
    )
    if (attempt.status !== 'authorized') {
      await voidExtra(run, attempt.reference, authorizationNumber)
      throw new EditRefused('payment_declined', 'the card needs 3-D Secure again for the higher total')
    }
    return { reference: attempt.reference, amount: attempt.amount, number: authorizationNumber }
  } catch (error) {
    if (businessRefusalOf(error)?.type !== 'PaymentDeclined') throw error
    const code = businessRefusalOf(error)?.details?.[0]
    throw new EditRefused('payment_declined', typeof code === 'string' ? code : null)
  }
}

interface ExtraAuthorization {
  reference: string
  amount: number
  /** Its number among the order's authorizations (the first is the order's own): its idempotency keys'. */
  number: number
}

async function voidExtra({ input, order }: OrderRun, reference: string, authorizationNumber: number): Promise<void> {
  const provider = paymentProviderOf(input.payment)
  await order.unlessFailedForGood(() =>
    payments.voidPayment.executeWithOptions({ summary: stepSummaries.voidPayment(provider) }, [
      { orderId: input.orderId, provider, reference, voidNumber: authorizationNumber },
    ]),
  )
}
