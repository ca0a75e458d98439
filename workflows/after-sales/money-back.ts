/**
 * Money given back after the journey: refunds through the order's payment
 * provider, numbered after the order's own (`refund-<n>` idempotency keys
 * never collide), or, for cash on delivery, a refund owed to the customer
 * that an admin settles by bank transfer (never skipped).
 */
import type { Actor } from '../../domain/order-types.js'
import type { AfterSalesRefund, AfterSalesState, CodRefundOwed, ReturnState } from '../../domain/returns.js'
import type { PaymentProviderName } from '../../domain/vocabulary.js'
import { refuseUpdate } from '../messages.js'
import { businessRefusalOf } from '../order/business-refusal.js'
import { processingFailureOf } from '../processing-failure.js'
import type { SettleCodRefundRequest } from './messages.js'
import { type AfterSalesRecord, now } from './after-sales-record.js'
import { payments } from './activity-proxies.js'

/** Refunds `amount` through the order's provider; refused (`refund_refused`) when the provider will not. */
export async function refund(
  sales: AfterSalesRecord,
  request: { amount: number; by: Actor; reason: string; ret: ReturnState | null; note?: string | null },
): Promise<AfterSalesRefund> {
  const { order, state } = sales
  const refundNumber = order.refundsMade + state.refunds.length + 1
  const provider = (order.payment.provider ?? (order.payment.method === 'paypal' ? 'paypal' : 'sandbox')) as PaymentProviderName
  const money = { amount: request.amount, currency: state.currency }
  let made: { amount: number }
  try {
    made = await payments.refundPayment.executeWithOptions(
      { summary: `Refund ${money.amount} ${money.currency} (${provider}, refund ${refundNumber}): ${request.reason}` },
      [{ orderId: order.orderId, provider, reference: order.payment.reference ?? '', amount: money, refundNumber }],
    )
  } catch (error) {
    const refusal = businessRefusalOf(error)
    const failure = processingFailureOf(error)
    if (refusal?.type !== 'RefundRefused' && !failure) throw error
    const why = failure ? `processing_failed: ${failure.step}` : refusal!.message
    sales.note(request.ret, { type: 'system', id: null }, 'refund_failed', `Refund of ${request.amount} not made (${why})`, {
      amount: request.amount,
    })
    await sales.save(`Record refund not made (${why.slice(0, 60)})`)
    throw refuseUpdate('refund_refused', why)
  }
  const record: AfterSalesRefund = {
    refundNumber,
    amount: made.amount,
    currency: state.currency,
    reason: request.reason,
    returnId: request.ret?.id ?? null,
    at: now(),
  }
  state.refunds.push(record)
  state.refundable = Math.max(state.refundable - made.amount, 0)
  const words = request.ret ? `for return ${request.ret.id.slice(0, 8)}` : request.reason.replaceAll('_', ' ')
  sales.note(request.ret, request.by, 'payment_refunded', `Refunded ${made.amount}: ${words}`, {
    amount: made.amount,
    reason: request.reason,
    ...(request.note ? { note: request.note } : {}),
  })
  sales.tell({ kind: 'refunded', occurrence: refundNumber, data: { amount: made.amount, currency: state.currency } })
  return record
}

/** Records a cash-on-delivery refund as owed to the customer: an admin pays it by bank transfer and settles it. */
export function owe(sales: AfterSalesRecord, ret: ReturnState | null, amount: number): CodRefundOwed {
  const { state } = sales
  const owed: CodRefundOwed = {
    id: `cod-refund-${state.codRefundsOwed.length + 1}`,
    returnId: ret?.id ?? null,
    amount,
    currency: state.currency,
    owedSince: now(),
    settledAt: null,
    settledBy: null,
    reference: null,
  }
  state.codRefundsOwed.push(owed)
  sales.note(ret, { type: 'system', id: null }, 'cod_refund_owed', `Refund of ${amount} owed: paid by bank transfer`, {
    amount,
    codRefundId: owed.id,
  })
  sales.tell({
    kind: 'cod_refund_owed',
    occurrence: state.codRefundsOwed.length,
    data: { amount, currency: state.currency, codRefundId: owed.id },
  })
  return owed
}

/** An admin paid a COD refund owed by bank transfer: settled, and its return refunded (or its exchange closed). */
export async function settle(sales: AfterSalesRecord, request: SettleCodRefundRequest): Promise<AfterSalesState> {
  const owed = sales.state.codRefundsOwed.find((one) => one.id === request.codRefundId)
  if (!owed) throw refuseUpdate('cod_refund_not_found')
  if (owed.settledAt) throw refuseUpdate('already_settled')
  owed.settledAt = now()
  owed.settledBy = request.actor
  owed.reference = request.reference
  const ret = owed.returnId ? (sales.returnOf(owed.returnId) ?? null) : null
  if (ret?.status === 'RECEIVED') ret.status = ret.exchange?.parcel ? 'CLOSED' : 'REFUNDED'
  sales.note(ret, request.actor, 'cod_refund_settled', `Refund of ${owed.amount} paid by bank transfer`, {
    amount: owed.amount,
    codRefundId: owed.id,
    reference: request.reference,
    ...(request.note ? { note: request.note } : {}),
  })
  sales.tell({
    kind: 'cod_refund_settled',
    occurrence: sales.state.codRefundsOwed.indexOf(owed) + 1,
    data: { amount: owed.amount, currency: owed.currency, codRefundId: owed.id },
  })
  if (ret) sales.count(ret, 'refunded')
  await sales.save(`Record ${owed.id} settled`)
  return sales.state
}
