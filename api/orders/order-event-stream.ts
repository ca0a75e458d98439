import type { Context } from 'hono'
import { streamSSE } from 'hono/streaming'
import type { AppDeps, AppEnv } from '../app-deps.js'
import type { Principal } from '../auth.js'
import { orderViewFromRow } from '../../commerce/order-view.js'
import { readNotificationForStream } from '../../commerce/read-notifications.js'
import { findVisibleOrder } from '../../commerce/read-order.js'
import { findOrderRow } from '../../db/order-queries.js'

/** How often an idle stream sends a comment, so proxies and clients know it is alive. */
export const DEFAULT_ORDER_EVENTS_HEARTBEAT_MS = 15_000

/** How long EventSource clients wait before reconnecting. */
const RECONNECT_AFTER_MS = 2_000

export interface OrderEventStreamOptions {
  orderId: string
  /** The `Last-Event-ID` a reconnecting client sent: the order version it has. */
  lastEventId: number | null
}

/**
 * Streams an order's changes to its owner (or an admin) as Server-Sent
 * Events: `event: order`, `id:` the order's version, `data:` the order. It
 * starts with the current state unless the client already has that version
 * (`Last-Event-ID`), then sends each newer version as the read model commits
 * it. Versions that commit in a burst may arrive as one event with the latest
 * state: ids only ever increase, and the last event is always the order as it is.
 * Each notification delivered to the order's stream is an event
 * `notification` of its own (no `id:`, so `Last-Event-ID` stays the order
 * version; one missed while disconnected is in `GET /v1/notifications`).
 *
 * Changes come from the process's one `OrderChangeFeed` listener; this
 * stream reads the order once per change, and unsubscribes when the client goes.
 */
export async function streamOrderEvents(
  c: Context<AppEnv>,
  deps: AppDeps,
  principal: Principal,
  options: OrderEventStreamOptions,
): Promise<Response> {
  const { orderId } = options
  const opened = await findVisibleOrder(deps.db, principal, orderId)
  const heartbeatMs = deps.orderEventsHeartbeatMs ?? DEFAULT_ORDER_EVENTS_HEARTBEAT_MS
  // A client claiming a version the order never had gets the current state, not silence.
  const known = options.lastEventId !== null && options.lastEventId <= opened.version ? options.lastEventId : -1
  const logger = c.var.logger
  c.header('X-Accel-Buffering', 'no')

  return streamSSE(c, async (stream) => {
    let sentVersion = known
    let stale = true
    let finished = false
    const notices: number[] = []
    let wake: (() => void) | null = null
    const nudge = () => {
      const resume = wake
      wake = null
      resume?.()
    }
    const unsubscribe = deps.orderChanges.subscribe(orderId, (change) => {
      if (change.kind === 'closed') finished = true
      else if (change.kind === 'notification') notices.push(change.notificationId)
      else if (change.kind === 'resync' || change.version > sentVersion) stale = true
      nudge()
    })
    stream.onAbort(() => {
      finished = true
      nudge()
    })
    try {
      await stream.write(`retry: ${RECONNECT_AFTER_MS}\n\n`)
      while (!finished && !stream.aborted) {
        if (stale) {
          stale = false
          const row = await findOrderRow(deps.db, orderId)
          if (row && row.version > sentVersion) {
            await stream.writeSSE({ id: String(row.version), event: 'order', data: JSON.stringify(orderViewFromRow(row)) })
            sentVersion = row.version
          }
          continue
        }
        const notice = notices.shift()
        if (notice !== undefined) {
          const view = await readNotificationForStream(deps.db, notice)
          if (view) await stream.writeSSE({ event: 'notification', data: JSON.stringify(view) })
          continue
        }
        const changed = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => {
            wake = null
            resolve(false)
          }, heartbeatMs)
          wake = () => {
            clearTimeout(timer)
            resolve(true)
          }
        })
        if (!changed) await stream.write(': heartbeat\n\n')
      }
    } catch (error) {
      logger.warn({ err: error, orderId }, 'order event stream failed')
    } finally {
      unsubscribe()
    }
  })
}
