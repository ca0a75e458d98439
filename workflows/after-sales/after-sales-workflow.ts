/**
 * An order's after-sales, as a workflow of its own (`order-<id>-aftersales`),
 * started by the first after-sales request with Update-with-Start: returns
 * (RMA) from request to refund, exchanges, goodwill refunds once the order's
 * workflow has closed, and cash-on-delivery refunds owed until settled.
 *
 * One workflow per order rather than per return: the rule "never more returned
 * than delivered" and the refundable money are the order's, so they live in
 * one place and concurrent requests are checked against each other.
 *
 * It closes when nothing is pending (no return between request and refund,
 * no COD refund owed) and the return window has passed.
 */
import { allHandlersFinished, condition } from '@temporalio/workflow'
import type { CarrierEvent } from '../../domain/order-types.js'
import type { AfterSalesInput, AfterSalesState, ReturnState } from '../../domain/returns.js'
import { AfterSalesRecord } from './after-sales-record.js'
import { JobQueue } from './job-queue.js'
import { listenForMessages } from './message-handlers.js'
import { expire, followReturnParcel } from './return-steps.js'

const openStatuses: ReadonlySet<ReturnState['status']> = new Set(['REQUESTED', 'APPROVED', 'IN_TRANSIT', 'RECEIVED'])

export async function afterSalesWorkflow(input: AfterSalesInput): Promise<AfterSalesState> {
  const sales = new AfterSalesRecord(input)
  const jobs = new JobQueue()
  const carrierNews: CarrierEvent[] = []
  listenForMessages(sales, jobs, carrierNews)
  sales.link()
  for (;;) {
    await jobs.drain()
    for (let event = carrierNews.shift(); event; event = carrierNews.shift()) await followReturnParcel(sales, event)
    for (const ret of overdue(sales.state)) await expire(sales, ret)
    const wakeAt = nextDeadline(sales.state)
    if (wakeAt === null) break
    const news = () => jobs.pending || carrierNews.length > 0
    if (wakeAt === Infinity) await condition(news)
    else await condition(news, Math.max(wakeAt - Date.now(), 1))
  }
  await condition(allHandlersFinished)
  sales.state.closed = true
  await sales.save('Record after-sales closed')
  return sales.state
}

/** Approved returns nobody handed to the carrier by their deadline. */
function overdue(state: AfterSalesState): ReturnState[] {
  return state.returns.filter((ret) => ret.status === 'APPROVED' && ret.shipBy && Date.now() >= new Date(ret.shipBy).getTime())
}

/**
 * When the workflow must next look at the clock: the first ship-by deadline,
 * else the end of the window; Infinity while something waits for a person;
 * null when nothing is pending and the window has passed (it closes).
 */
function nextDeadline(state: AfterSalesState): number | null {
  const shipBy = state.returns
    .filter((ret) => ret.status === 'APPROVED' && ret.shipBy)
    .map((ret) => new Date(ret.shipBy!).getTime())
  if (shipBy.length > 0) return Math.min(...shipBy)
  const pending =
    state.returns.some((ret) => openStatuses.has(ret.status)) || state.codRefundsOwed.some((owed) => !owed.settledAt)
  const windowEnds = state.windowEndsAt ? new Date(state.windowEndsAt).getTime() : 0
  if (pending) return windowEnds > Date.now() ? windowEnds : Infinity
  return windowEnds > Date.now() ? windowEnds : null
}
