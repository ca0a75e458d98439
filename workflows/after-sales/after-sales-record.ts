/**
 * An order's after-sales state and the only ways it changes on record: an
 * entry in a return's timeline and in the ORDER's (customer-safe), a write to
 * the read model with the notices and counts it calls for. Every step module
 * changes the after-sales through this record, as the order's steps do
 * through `OrderRecord`.
 */
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow'
import type { Actor, TimelineEntry } from '../../domain/order-types.js'
import {
  type AfterSalesCounts,
  type AfterSalesInput,
  type AfterSalesNotice,
  type AfterSalesOrder,
  type AfterSalesState,
  DEFAULT_RETURN_SHIP_DEADLINE_MS,
  DEFAULT_RETURN_WINDOW_MS,
  type ReturnState,
} from '../../domain/returns.js'
import { processingFailureOf } from '../processing-failure.js'
import { CustomerIdKey, OrderIdKey } from '../search-attributes.js'
import { activities } from './activity-proxies.js'

export const SYSTEM: Actor = { type: 'system', id: null }

/** The time now, as the workflow sees it (replayed from history, so deterministic). */
export const now = () => new Date().toISOString()

export class AfterSalesRecord {
  readonly state: AfterSalesState
  readonly order: AfterSalesOrder
  readonly returnShipDeadlineMs: number
  /** Entries for the order's timeline not yet written, and the next seq they take. */
  private entries: TimelineEntry[] = []
  private nextSeq: number
  private notices: AfterSalesNotice[] = []
  private counts: AfterSalesCounts = { returns: [], itemsWrittenOff: 0 }

  constructor(input: AfterSalesInput) {
    this.order = input.order
    this.returnShipDeadlineMs = input.returnShipDeadlineMs ?? DEFAULT_RETURN_SHIP_DEADLINE_MS
    const { orderId, customerId, totals, payment, deliveredAt } = input.order
    const windowMs = input.returnWindowMs ?? DEFAULT_RETURN_WINDOW_MS
    this.state = input.carriedOver ?? {
      orderId,
      customerId,
      currency: totals.currency,
      returns: [],
      refunds: [],
      codRefundsOwed: [],
      windowEndsAt: deliveredAt ? new Date(new Date(deliveredAt).getTime() + windowMs).toISOString() : null,
      refundable: payment.method === 'cod' ? 0 : Math.max(payment.captured - payment.refunded, 0),
      closed: false,
      version: 0,
    }
    this.nextSeq = input.order.timelineSeq + 1
  }

  /** Links the workflow to its order for operators: `temporal workflow list --query "OrderId='<id>'"`. */
  link(): void {
    upsertSearchAttributes([
      { key: OrderIdKey, value: this.order.orderId },
      { key: CustomerIdKey, value: this.order.customerId },
    ])
  }

  returnOf(returnId: string): ReturnState | undefined {
    return this.state.returns.find((ret) => ret.id === returnId)
  }

  /** Notes a step of a return in its own timeline and in the order's (the same words, customer-safe). */
  note(ret: ReturnState | null, actor: Actor, type: string, message: string, data: Record<string, unknown> = {}): void {
    const at = now()
    const withReturn = ret ? { returnId: ret.id, ...data } : data
    if (ret) {
      ret.timeline.push({ seq: ret.timeline.length + 1, at, actor, type, message, data })
      ret.updatedAt = at
    }
    this.entries.push({ seq: this.nextSeq++, at, actor, type, message, data: withReturn })
  }

  tell(notice: AfterSalesNotice): void {
    this.notices.push(notice)
  }

  count(ret: ReturnState, outcome: string): void {
    for (const line of ret.lines) this.counts.returns.push({ reason: line.reason, outcome })
  }

  writtenOff(units: number): void {
    this.counts.itemsWrittenOff += units
  }

  /**
   * Writes the after-sales state, the order's new timeline entries, the
   * notices and the counts in one bookkeeping call; the version keeps a late
   * write from winning. A write that fails for good is given up, saying so in
   * the workflow's log: the next one carries the state again.
   */
  async save(summary: string): Promise<void> {
    this.state.version += 1
    setCurrentDetails(detailsOf(this.state))
    const input = { state: this.state, newTimelineEntries: this.entries, notices: this.notices, counts: this.counts }
    this.entries = []
    this.notices = []
    this.counts = { returns: [], itemsWrittenOff: 0 }
    try {
      await activities.recordAfterSales.executeWithOptions({ summary }, [input])
    } catch (error) {
      if (!processingFailureOf(error)) throw error
    }
  }
}

/** The after-sales at a glance, for the Web UI's current details: "**2 returns** · 1 open · 1 COD refund owed · window until …". */
function detailsOf(state: AfterSalesState): string {
  const open = state.returns.filter((ret) => !['REJECTED', 'REFUNDED', 'CLOSED'].includes(ret.status)).length
  const owed = state.codRefundsOwed.filter((one) => !one.settledAt).length
  const parts = [`**${state.returns.length} return(s)**`, `${open} open`, `${state.refunds.length} refund(s)`]
  if (owed > 0) parts.push(`${owed} COD refund(s) owed`)
  parts.push(state.closed ? 'closed' : `returns until ${state.windowEndsAt ?? 'never (not delivered)'}`)
  return parts.join(' · ')
}
