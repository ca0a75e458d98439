/**
 * The order's messages, answered: the `status` query, carrier and payment
 * signals, and the updates that cancel, confirm cash on delivery and refund.
 * Handlers only note what arrived (in the inbox or the refund queue) and wait
 * for the story to act on it; validators refuse before anything is written to
 * history.
 */
import { CancellationScope, condition, setHandler } from '@temporalio/workflow'
import {
  cancellationRefusal,
  codConfirmationRefusal,
  editRefusal,
  finalStatuses,
  parcelCancellationRefusal,
  refundRefusal,
  refundRefusalDetail,
} from '../../domain/order-rules.js'
import { orderOverview } from '../../domain/order-summaries.js'
import {
  cancelOrderUpdate,
  carrierEventSignal,
  confirmCodUpdate,
  editOrderUpdate,
  messageDescriptions as describes,
  overviewQuery,
  paymentEventSignal,
  paymentProgressUpdate,
  refundPaymentUpdate,
  refuseUpdate,
  statusQuery,
} from '../messages.js'
import { parcelReportSignal } from '../shipment/messages.js'
import { type OperatorUpdateName, updateInputProblem } from '../update-inputs.js'
import { treatTemporalCancellationAsRequest } from './operator-cancellation.js'
import type { QueuedEdit } from './order-inbox.js'
import type { OrderRun } from './order-run.js'

/** Waits for `fn` where a Temporal-level cancellation cannot break the wait (in update handlers). */
const settled = (fn: () => boolean) => CancellationScope.nonCancellable(() => condition(fn))

/** Refuses an update with a reason the API maps to 409 (and, optionally, words for the person who asked). */
function refuse(reason: string | null, detail?: string): void {
  if (reason !== null) throw refuseUpdate(reason, detail)
}

/** Refuses (non-retryable, `invalid_input`) an update whose input is not the shape `name` takes. */
function refuseMalformed(name: OperatorUpdateName, input: unknown): void {
  const problem = updateInputProblem(name, input)
  if (problem !== null) throw refuseUpdate('invalid_input', problem)
}

/** Sets every handler of the order's messages, before the story's first step. */
export function listenForMessages(run: OrderRun): void {
  const { order, inbox } = run
  const state = order.state
  setHandler(statusQuery, () => state, { description: describes.status })
  setHandler(overviewQuery, () => orderOverview(state), { description: describes.overview })
  setHandler(
    carrierEventSignal,
    (event) => {
      inbox.carrierEvents.push(event)
      run.parcels?.noticeCarrierEvent(event)
    },
    { description: describes.carrierEvent },
  )
  if (run.parcels) {
    const fleet = run.parcels
    setHandler(parcelReportSignal, (report) => void fleet.reports.push(report), { description: describes.parcelReport })
  }
  setHandler(paymentEventSignal, (event) => inbox.notePaymentEvent(event.eventId), { description: describes.paymentEvent })
  treatTemporalCancellationAsRequest(run)
  answerCustomerUpdates(run)
  answerEdits(run)
  answerAdminUpdates(run)
}

/** The updates the API sends for the customer: where the payment stands, and a cancellation. */
function answerCustomerUpdates({ order, inbox, parcels }: OrderRun): void {
  const state = order.state
  setHandler(
    paymentProgressUpdate,
    async () => {
      await settled(() => state.paymentStatus !== 'PENDING' || finalStatuses.has(state.status))
      return { paymentStatus: state.paymentStatus, provider: state.payment.provider, reference: state.payment.reference }
    },
    { description: describes.awaitPaymentProgress },
  )
  setHandler(
    cancelOrderUpdate,
    async (request) => {
      if (state.status !== 'CANCELLED') inbox.askToCancel(request)
      const parcelsCancelled = () => inbox.parcelsCancelledFor === request
      await settled(() => finalStatuses.has(state.status) || inbox.cancelRefused !== null || parcelsCancelled())
      if (state.status !== 'CANCELLED' && !parcelsCancelled())
        refuse(inbox.cancelRefused ?? cancellationRefusal(state, request.actor) ?? 'already_shipped')
      return state
    },
    {
      description: describes.cancelOrder,
      validator: (request) => {
        refuseMalformed('cancelOrder', request)
        refuse(parcels ? parcelCancellationRefusal(state, request) : cancellationRefusal(state, request.actor))
      },
    },
  )
}

/** The edit of an order before hand-over (customer or admin; the API checks who owns the order). */
function answerEdits({ order, inbox, parcels }: OrderRun): void {
  const state = order.state
  setHandler(
    editOrderUpdate,
    async (request) => {
      const queued: QueuedEdit = { request, done: false, refusal: null }
      inbox.edits.push(queued)
      await settled(() => queued.done || finalStatuses.has(state.status))
      if (!queued.done) refuse('order_closed')
      if (queued.refusal) refuse(queued.refusal.reason, queued.refusal.detail ?? undefined)
      return state
    },
    {
      description: describes.editOrder,
      validator: (request) => {
        if (!Array.isArray(request?.lines) || request.lines.length === 0) throw refuseUpdate('invalid_input', 'lines')
        refuse(editRefusal(state, request, parcels?.pickupArrived ?? false))
      },
    },
  )
}

/** The updates only an admin may send: a cash-on-delivery confirmation, a refund. */
function answerAdminUpdates({ order, inbox, refunds }: OrderRun): void {
  const state = order.state
  setHandler(
    confirmCodUpdate,
    async (request) => {
      inbox.codConfirmedBy ??= request.actor
      await settled(() => state.status !== 'PENDING' && state.status !== 'AWAITING_CONFIRMATION')
      return state
    },
    {
      description: describes.confirmCashOnDelivery,
      validator: (request) => {
        refuseMalformed('confirmCashOnDelivery', request)
        refuse(codConfirmationRefusal(state, request.actor))
      },
    },
  )
  setHandler(
    refundPaymentUpdate,
    async (request) => {
      const queued = refunds.ask(request)
      await settled(() => queued.done || refunds.closed)
      if (queued.refusal) refuse('refund_refused', queued.refusal)
      return state
    },
    {
      description: describes.refundPayment,
      validator: (request) => {
        refuseMalformed('refundPayment', request)
        const refusal = refundRefusal(state, request, refunds.requested)
        refuse(refusal, refundRefusalDetail(state, refusal, refunds.requested))
      },
    },
  )
}
