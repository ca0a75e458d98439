/**
 * The order's state and the only ways it changes on record: a timeline
 * entry, a new status published to Temporal, a write to the read model, a
 * notice to the customer, a flag for staff. Every step module changes the
 * order through this record, as `cluster-manager.ts` holds the state of the
 * safe-message-handlers sample.
 */
import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow'
import { currentDetails } from '../../domain/order-summaries.js'
import { placedOrder } from '../../domain/placed-order.js'
import type { Actor, OrderState, PlaceOrderInput, TimelineEntry } from '../../domain/order-types.js'
import type { OrderStatus } from '../../domain/vocabulary.js'
import { type ProcessingFailure, processingFailureOf } from '../processing-failure.js'
import { OrderStatusKey, OrderTotalKey } from '../search-attributes.js'
import { type Notice, type NoticeKind, activities, bookkeeping } from './activity-proxies.js'

export const SYSTEM: Actor = { type: 'system', id: null }

/** The time now, as the workflow sees it (replayed from history, so deterministic). */
export const now = () => new Date().toISOString()

/** What an order's record carries into the next run when its workflow continues as new. */
export interface CarriedRecord {
  state: OrderState
  recordedSeq: number
  publishedStatus: OrderStatus | null
}

export class OrderRecord {
  /** The order as the `status` query, the read model and the workflow's result show it. */
  readonly state: OrderState
  /** The last timeline entry the read model has. */
  private recordedSeq = 0
  /** The status the search attribute `OrderStatus` shows, once published. */
  private publishedStatus: OrderStatus | null = null
  /**
   * An order on the `small-history` code (`patched('small-history')`):
   * bookkeeping is one local activity per change, with its notices; the
   * status is published only when it changes. Orders placed before keep the
   * commands they recorded: an activity per write and per notice.
   */
  smallHistory = false

  constructor(
    readonly input: PlaceOrderInput,
    carried?: CarriedRecord,
  ) {
    this.state = carried?.state ?? placedOrder(input)
    this.recordedSeq = carried?.recordedSeq ?? 0
    this.publishedStatus = carried?.publishedStatus ?? null
  }

  /** What the next run takes over when the workflow continues as new. */
  carried(): CarriedRecord {
    return { state: this.state, recordedSeq: this.recordedSeq, publishedStatus: this.publishedStatus }
  }

  /** Adds an entry to the order's timeline: who did what, in words, with its data. */
  note(actor: Actor, type: string, message: string, data: Record<string, unknown> | null = null): void {
    const entry: TimelineEntry = { seq: this.state.timeline.length + 1, at: now(), actor, type, message, data }
    this.state.timeline.push(entry)
    this.state.updatedAt = entry.at
  }

  /** Moves the order to `status` and publishes it (search attribute `OrderStatus`, the workflow's current details). */
  moveTo(status: OrderStatus): void {
    this.state.status = status
    if (!this.smallHistory || this.publishedStatus !== status) {
      upsertSearchAttributes([{ key: OrderStatusKey, value: status }])
      this.publishedStatus = status
    }
    this.publishDetails()
  }

  /**
   * Publishes the status again, unchanged, after its payment or fulfillment
   * changed: the current details show the new state (and, in orders placed
   * before `small-history`, the search attribute is written again: a command
   * their histories recorded).
   */
  republishStatus(): void {
    this.moveTo(this.state.status)
  }

  /** Publishes the order's total (search attribute `OrderTotal`), once at placement. */
  publishTotal(): void {
    // The API starts every order with its total; an order on the `small-history` code writes it only where it did not.
    const startedWith = workflowInfo().typedSearchAttributes.get(OrderTotalKey)
    if (this.smallHistory && startedWith === this.state.totals.total) return
    upsertSearchAttributes([{ key: OrderTotalKey, value: this.state.totals.total }])
  }

  /** Says in the workflow's current details what the order is doing before it has a status of its own. */
  describe(doing: string): void {
    setCurrentDetails(`**${this.state.status}** · ${doing}`)
  }

  private publishDetails(): void {
    setCurrentDetails(currentDetails(this.state))
  }

  /**
   * Writes the change to the read model, with the notices it calls for (the
   * outbox), in one bookkeeping call; the version keeps a late write from
   * winning. A part that fails for good is flagged and the order goes on; its
   * timeline entries go with the next write.
   *
   * @example
   * ```ts
   * order.moveTo('SHIPPED')
   * await order.save({ kind: 'shipped' }) // "Record SHIPPED (Payment captured at hand-over); Tell the customer: shipped"
   * ```
   */
  async save(...notices: Notice[]): Promise<void> {
    this.state.version += 1
    const { timeline, ...snapshot } = this.state
    const upTo = timeline.length
    const entries = timeline.filter((entry) => entry.seq > this.recordedSeq)
    const summary = [recordSummary(this.state.status, entries), ...notices.map(noticeSummary)].join('; ')
    if (!this.smallHistory) {
      const written = await this.unlessFailedForGood(() =>
        activities.recordOrder.executeWithOptions({ summary }, [{ order: snapshot, newTimelineEntries: entries }]),
      )
      if (written !== null) this.recordedSeq = upTo
      for (const notice of notices) await this.notify(notice.kind, notice)
      return
    }
    const written = await this.unlessFailedForGood(() =>
      bookkeeping.recordOrder.executeWithOptions({ summary }, [{ order: snapshot, newTimelineEntries: entries, notices }]),
    )
    const failedForGood = written?.failedForGood ?? []
    if (written !== null && !failedForGood.some((failure) => failure.step === 'recordOrder')) this.recordedSeq = upTo
    for (const failure of failedForGood) this.flagForStaff(failure)
  }

  /** Tells the customer (the outbox) of something no write goes with; a notice that fails for good is flagged and the order goes on. */
  async notify(kind: NoticeKind, extra: { occurrence?: number; data?: Record<string, unknown> } = {}): Promise<void> {
    const { orderId, customerId } = this.input
    const summary = noticeSummary({ kind })
    const proxy = this.smallHistory ? bookkeeping : activities
    await this.unlessFailedForGood(() =>
      proxy.notifyCustomer.executeWithOptions({ summary }, [{ orderId, customerId, kind, ...extra }]),
    )
  }

  /** Flags a step that failed for good for staff; the timeline entry counts it in `order_processing_failures_total`. */
  flagForStaff(failure: ProcessingFailure): void {
    this.note(SYSTEM, 'processing_failed', `Step ${failure.step} failed for good; staff must look at this order`, {
      step: failure.step,
      sqlState: failure.sqlState,
      error: failure.message,
    })
  }

  /** Runs a step whose failure for good must not stop the order: it is flagged for staff, and null is returned. */
  async unlessFailedForGood<T>(step: () => Promise<T>): Promise<T | null> {
    try {
      return await step()
    } catch (error) {
      const failure = processingFailureOf(error)
      if (!failure) throw error
      this.flagForStaff(failure)
      return null
    }
  }
}

/** A bookkeeping write in the order's terms, for the Web UI: "Record SHIPPED (Carrier: IN_TRANSIT)". */
function recordSummary(status: OrderStatus, entries: readonly TimelineEntry[]): string {
  const latest = entries.at(-1)
  return latest ? `Record ${status} (${latest.message.slice(0, 80)})` : `Record ${status}`
}

/** A notice in the order's terms: "Tell the customer: shipped". */
function noticeSummary({ kind }: { kind: NoticeKind }): string {
  return `Tell the customer: ${kind.replaceAll('_', ' ')}`
}
