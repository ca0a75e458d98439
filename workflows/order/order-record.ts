/**
 * The order's state and the only ways it changes on record: a timeline
 * entry, a new status published to Temporal, a write to the read model, a
 * notice to the customer, a flag for staff. Every step module changes the
 * order through this record, as `cluster-manager.ts` holds the state of the
 * safe-message-handlers sample.
 */
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow'
import { currentDetails } from '../../domain/order-summaries.js'
import { placedOrder } from '../../domain/placed-order.js'
import type { Actor, OrderState, PlaceOrderInput, TimelineEntry } from '../../domain/order-types.js'
import type { OrderStatus } from '../../domain/vocabulary.js'
import { type ProcessingFailure, processingFailureOf } from '../processing-failure.js'
import { OrderStatusKey, OrderTotalKey } from '../search-attributes.js'
import { type NoticeKind, activities } from './activity-proxies.js'

export const SYSTEM: Actor = { type: 'system', id: null }

/** The time now, as the workflow sees it (replayed from history, so deterministic). */
export const now = () => new Date().toISOString()

export class OrderRecord {
  /** The order as the `status` query, the read model and the workflow's result show it. */
  readonly state: OrderState
  /** The last timeline entry the read model has. */
  private recordedSeq = 0

  constructor(readonly input: PlaceOrderInput) {
    this.state = placedOrder(input)
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
    upsertSearchAttributes([{ key: OrderStatusKey, value: status }])
    this.publishDetails()
  }

  /**
   * Publishes the status again, unchanged, after its payment or fulfillment
   * changed: the search attribute is written again (a command in history that
   * recorded orders expect) and the current details show the new state.
   */
  republishStatus(): void {
    this.moveTo(this.state.status)
  }

  /** Publishes the order's total (search attribute `OrderTotal`), once at placement. */
  publishTotal(): void {
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
   * Writes the change to the read model; the version keeps a late write from
   * winning. Bookkeeping: a write that fails for good is flagged and the order
   * goes on; its timeline entries go with the next write.
   */
  async save(): Promise<void> {
    this.state.version += 1
    const { timeline, ...snapshot } = this.state
    const upTo = timeline.length
    const entries = timeline.filter((entry) => entry.seq > this.recordedSeq)
    const written = await this.unlessFailedForGood(() => activities.recordOrder({ order: snapshot, newTimelineEntries: entries }))
    if (written !== null) this.recordedSeq = upTo
  }

  /** Tells the customer (the outbox); bookkeeping, so a notice that fails for good is flagged and the order goes on. */
  async notify(kind: NoticeKind, extra: { occurrence?: number; data?: Record<string, unknown> } = {}): Promise<void> {
    const { orderId, customerId } = this.input
    await this.unlessFailedForGood(() => activities.notifyCustomer({ orderId, customerId, kind, ...extra }))
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
