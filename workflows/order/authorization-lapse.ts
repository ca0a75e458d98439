/** The wait for pickup's deadline: the held card authorization lapsing. */
import { sleep } from '@temporalio/workflow'
import type { OrderRun } from './order-run.js'

/**
 * The held authorization's lapse, as one timer for the whole wait for pickup
 * (`condition(news, timeout)` starts and cancels a timer at every wake-up:
 * two events each). A timer still pending when the order ends is dropped
 * with the workflow; it records nothing.
 */
export class AuthorizationLapse {
  private timer: { expiresAt: string | null | undefined; lapsed: Promise<false> } | null = null

  /** Resolves false when the hold lapses; the same timer while the hold's expiry stays the same. */
  after({ order }: OrderRun, holdLeft: number, summary: string): Promise<false> {
    const expiresAt = order.state.payment.authorizationExpiresAt
    if (this.timer && this.timer.expiresAt === expiresAt) return this.timer.lapsed
    const lapsed = sleep(holdLeft, { summary }).then(() => false as const)
    this.timer = { expiresAt, lapsed }
    return lapsed
  }
}
