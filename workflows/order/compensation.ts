/**
 * The order's saga: each step that succeeds registers how to undo it, and a
 * cancellation runs the undos in reverse where nothing can interrupt them
 * (as temporalio/samples-typescript `saga`). An undo that fails for good is
 * flagged for staff without skipping the rest.
 */
import { CancellationScope } from '@temporalio/workflow'
import type { OrderRecord } from './order-record.js'

export type Undo = () => Promise<void>

export class Compensation {
  private readonly undos: Undo[] = []

  /** Registers the undo of a step that just succeeded. */
  add(undo: Undo): void {
    this.undos.push(undo)
  }

  /** Forgets every undo: from hand-over the order keeps its money and its parcel. */
  forget(): void {
    this.undos.length = 0
  }

  /** Undoes every step taken, last first; an undo that fails for good is flagged on `order` and the rest still run. */
  async runInReverse(order: OrderRecord): Promise<void> {
    await CancellationScope.nonCancellable(async () => {
      for (const undo of this.undos.reverse()) await order.unlessFailedForGood(undo)
      this.forget()
    })
  }
}
