/**
 * How the after-sales workflow answers its messages: validators refuse what
 * the rules forbid before anything is written to history (`refuseUpdate`),
 * handlers queue their act for the main loop (`JobQueue`) and answer with
 * its outcome; carrier news waits in the inbox.
 */
import { setHandler } from '@temporalio/workflow'
import type { CarrierEvent } from '../../domain/order-types.js'
import { type AfterSalesRefusal, receiptRefusal, returnRequestRefusal } from '../../domain/returns.js'
import { type RefundPaymentRequest, refuseUpdate } from '../messages.js'
import type { AfterSalesRecord } from './after-sales-record.js'
import type { JobQueue } from './job-queue.js'
import {
  afterSalesQuery,
  afterSalesRefundUpdate,
  approveReturnUpdate,
  receiveReturnUpdate,
  rejectReturnUpdate,
  requestReturnUpdate,
  returnCarrierEventSignal,
  settleCodRefundUpdate,
} from './messages.js'
import { refund, settle } from './money-back.js'
import { approve, receive, recordRequest, reject, takeReturn } from './return-steps.js'

function refuse(reason: AfterSalesRefusal | null, detail?: string): void {
  if (reason !== null) throw refuseUpdate(reason, detail)
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** The actor of an input, refused as `invalid_input` when missing. */
function actorOf(input: unknown): { type: string; id: string | null } {
  const actor = isRecord(input) ? input['actor'] : null
  if (!isRecord(actor) || typeof actor['type'] !== 'string') throw refuseUpdate('invalid_input', 'actor: missing')
  return actor as { type: string; id: string | null }
}

export function listenForMessages(sales: AfterSalesRecord, jobs: JobQueue, carrierNews: CarrierEvent[]): void {
  setHandler(afterSalesQuery, () => sales.state)
  setHandler(returnCarrierEventSignal, (event) => void carrierNews.push(event))
  answerReturnMessages(sales, jobs)
  answerMoneyMessages(sales, jobs)
}

const adminOnly = (input: unknown) => {
  if (actorOf(input).type !== 'admin') throw refuseUpdate('not_admin')
}

/** A return asked for, decided on, and received. */
function answerReturnMessages(sales: AfterSalesRecord, jobs: JobQueue): void {
  setHandler(
    requestReturnUpdate,
    async (request) => {
      const ret = takeReturn(sales, request)
      return jobs.run(() => recordRequest(sales, ret, request))
    },
    {
      validator: (request) => {
        actorOf(request)
        refuse(returnRequestRefusal(sales.state, sales.order, request, Date.now()))
      },
    },
  )

  const returnNamed = (input: unknown) => {
    const returnId = isRecord(input) ? input['returnId'] : null
    const ret = typeof returnId === 'string' ? sales.returnOf(returnId) : undefined
    if (!ret) throw refuseUpdate('return_not_found')
    return ret
  }
  const requested = (input: unknown) => {
    adminOnly(input)
    if (returnNamed(input).status !== 'REQUESTED') throw refuseUpdate('not_requested')
  }
  setHandler(approveReturnUpdate, (decision) => jobs.run(() => approve(sales, returnNamed(decision), decision)), {
    validator: requested,
  })
  setHandler(rejectReturnUpdate, (decision) => jobs.run(() => reject(sales, returnNamed(decision), decision)), {
    validator: requested,
  })
  setHandler(receiveReturnUpdate, (receipt) => jobs.run(() => receive(sales, returnNamed(receipt), receipt)), {
    validator: (receipt) => {
      adminOnly(receipt)
      refuse(receiptRefusal(returnNamed(receipt), receipt.lines))
    },
  })
}

/** Goodwill refunds, and COD refunds owed settled. */
function answerMoneyMessages(sales: AfterSalesRecord, jobs: JobQueue): void {
  let asked = 0
  const goodwill = async (request: RefundPaymentRequest) => {
    const { amount, actor: by, reason, note } = request
    await refund(sales, { amount, by, reason, ret: null, note })
    await sales.save(`Record refund of ${amount}`)
  }
  setHandler(
    afterSalesRefundUpdate,
    async (request) => {
      asked += request.amount
      try {
        await jobs.run(() => goodwill(request))
      } finally {
        asked -= request.amount
      }
      return sales.state
    },
    { validator: (request) => refuse(goodwillRefusal(sales, request, asked)) },
  )

  setHandler(settleCodRefundUpdate, (request) => jobs.run(() => settle(sales, request)), {
    validator: (request) => {
      adminOnly(request)
      const owed = sales.state.codRefundsOwed.find((one) => one.id === request.codRefundId)
      if (!owed) throw refuseUpdate('cod_refund_not_found')
      if (owed.settledAt) throw refuseUpdate('already_settled')
    },
  })
}

/** The order's own refund rules, after the journey: an admin, captured money, not more than is left, within the window. */
function goodwillRefusal(sales: AfterSalesRecord, request: RefundPaymentRequest, asked: number): AfterSalesRefusal | null {
  const { order, state } = sales
  if (actorOf(request).type !== 'admin') return 'not_admin'
  if (order.payment.method === 'cod' || order.payment.captured === 0) return 'not_refundable'
  if (order.status !== 'DELIVERED' || !state.windowEndsAt || Date.now() >= new Date(state.windowEndsAt).getTime())
    return 'order_closed'
  if (!Number.isSafeInteger(request.amount) || request.amount <= 0) return 'invalid_amount'
  return request.amount > state.refundable - asked ? 'exceeds_refundable' : null
}
