import { randomUUID } from 'node:crypto'
import { WorkflowUpdateFailedError } from '@temporalio/client'
import { ApplicationFailure } from '@temporalio/common'
import { describe, expect, it } from 'vitest'
import {
  IdempotencyKeyInFlight,
  OrderNotFound,
  OrderNotPriceable,
  OrderUpdateRefused,
  StockAboveMaximum,
  StockBelowReserved,
} from '../../commerce/commerce-errors.js'
import { problemCatalog, problemOfRefusal } from '../../api/problem.js'
import {
  cancelUpdateId,
  confirmCodUpdateId,
  orderIdFromWorkflowId,
  orderWorkflowId,
  refundUpdateId,
  refuseUpdate,
  updateRefusalOf,
} from '../../workflows/messages.js'

describe("an order's workflow id", () => {
  it('gives back the order id it was built from, and nothing for another workflow', () => {
    const orderId = randomUUID()
    expect(orderWorkflowId(orderId)).toBe(`order-${orderId}`)
    expect(orderIdFromWorkflowId(orderWorkflowId(orderId))).toBe(orderId)
    expect(orderIdFromWorkflowId('cod-reconciliation-2026-12-01')).toBeNull()
  })

  it('has update ids that differ per message, and per admin for refunds', () => {
    const key = randomUUID()
    const ids = [cancelUpdateId(key), confirmCodUpdateId(key), refundUpdateId('ops_1', key), refundUpdateId('ops_2', key)]
    console.log(ids.join('\n'))
    expect(new Set(ids).size).toBe(4)
  })
})

describe('a refusal the workflow writes', () => {
  it('reads back with its reason and words through the failed update, and nothing else reads as one', () => {
    const refused = new WorkflowUpdateFailedError('update failed', refuseUpdate('exceeds_refundable', '3599 is still refundable'))
    expect(updateRefusalOf(refused)).toEqual({ reason: 'exceeds_refundable', detail: '3599 is still refundable' })
    expect(updateRefusalOf(new WorkflowUpdateFailedError('update failed', refuseUpdate('already_shipped')))).toEqual({
      reason: 'already_shipped',
      detail: null,
    })
    const other = ApplicationFailure.create({ type: 'PaymentDeclined', message: 'card_declined' })
    expect(updateRefusalOf(new WorkflowUpdateFailedError('update failed', other))).toBeNull()
    expect(updateRefusalOf(new Error('update failed'))).toBeNull()
  })
})

describe("a use case's refusal", () => {
  it.each([
    [new OrderNotFound('42'), 404, 'order_not_found', 'There is no order 42', undefined],
    [
      new OrderUpdateRefused('already_shipped', 'The order refused: already shipped'),
      409,
      'order_update_refused',
      'The order refused: already shipped',
      'already_shipped',
    ],
    [
      new IdempotencyKeyInFlight(true),
      409,
      'idempotency_key_in_flight',
      'This Idempotency-Key is contended; retry in a moment',
      undefined,
    ],
    [
      new StockBelowReserved(-1, 3),
      409,
      'stock_below_reserved',
      'delta: would leave -1 on hand, but 3 are reserved by open orders',
      undefined,
    ],
    [new StockAboveMaximum(2_147_483_647), 400, 'invalid_request', 'delta: would put more than 2147483647 on hand', undefined],
    [
      new OrderNotPriceable([{ kind: 'currency_not_sold', currency: 'JPY' }]),
      422,
      'order_not_priceable',
      'currency: the store does not sell in JPY',
      undefined,
    ],
  ] as const)('%s is answered %i %s', (refusal, status, code, detail, reason) => {
    const problem = problemOfRefusal(refusal)
    expect([problemCatalog[problem.code].status, problem.code, problem.detail, problem.extra.reason]).toEqual([
      status,
      code,
      detail,
      reason,
    ])
  })
})
