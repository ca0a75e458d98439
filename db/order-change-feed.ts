import pg from 'pg'
import type { Logger } from 'pino'
import { ORDER_NOTIFICATIONS_CHANNEL } from './notification-deliveries.js'

/**
 * The channel the `orders_notify_change` trigger (migration 002) announces
 * every new version of an order on, as `{"id": "<uuid>", "version": <n>}`.
 */
export const ORDER_CHANGES_CHANNEL = 'order_changes'

/** What a subscriber hears. */
export type OrderChange =
  /** The order has a new version in the read model. */
  | { kind: 'changed'; orderId: string; version: number }
  /** A notification of the order was delivered to its event stream (the `order_stream` channel). */
  | { kind: 'notification'; orderId: string; notificationId: number }
  /** The feed lost its connection and is listening again: changes may have been missed, read the order again. */
  | { kind: 'resync' }
  /** The feed is shutting down: end the subscription. */
  | { kind: 'closed' }

export type OrderChangeListener = (change: OrderChange) => void

/**
 * Changes to orders, as they commit, from one `LISTEN` connection per process
 * fanned out to any number of subscribers. Every API replica runs its own
 * feed; Postgres delivers each change to all of them, whoever wrote it.
 */
export interface OrderChangeFeed {
  /**
   * Calls `listener` on every change of one order until the returned
   * function is called.
   *
   * @example
   * ```ts
   * const unsubscribe = feed.subscribe(orderId, (change) => { ... })
   * // when the client goes away
   * unsubscribe()
   * ```
   */
  subscribe(orderId: string, listener: OrderChangeListener): () => void
  /** How many subscriptions are open, over all orders. */
  subscriberCount(): number
  /** Resolves once the feed is listening (the first time). */
  ready(): Promise<void>
  /** Tells every subscriber `closed`, stops listening and closes the connection. */
  close(): Promise<void>
}

export interface OrderChangeFeedProps {
  connectionString: string
  logger: Logger
  /** Shown in `pg_stat_activity`; `order-change-feed` by default. */
  applicationName?: string
  /** First delay before reconnecting after the connection drops; doubles up to 30 s. Default 500 ms. */
  reconnectDelayMs?: number
  /** How often the idle connection is checked, so a silently dead one is replaced. Default 30 s. */
  healthCheckMs?: number
}

function parseNotification(payload: string | undefined): { orderId: string; notificationId: number } | null {
  try {
    const value = JSON.parse(payload ?? '') as { orderId?: unknown; id?: unknown }
    return typeof value.orderId === 'string' && typeof value.id === 'number'
      ? { orderId: value.orderId, notificationId: value.id }
      : null
  } catch {
    return null
  }
}

function parseChange(payload: string | undefined): { orderId: string; version: number } | null {
  try {
    const value = JSON.parse(payload ?? '') as { id?: unknown; version?: unknown }
    return typeof value.id === 'string' && typeof value.version === 'number'
      ? { orderId: value.id, version: value.version }
      : null
  } catch {
    return null
  }
}

/**
 * Opens the process's order change feed: one dedicated connection (outside
 * the query pool) that `LISTEN`s and reconnects with backoff when it drops,
 * then tells every subscriber to resync.
 *
 * @example
 * ```ts
 * const orderChanges = createOrderChangeFeed({ connectionString: config.database.url, logger })
 * const app = createApp({ ..., orderChanges })
 * // on shutdown, before closing the HTTP server (it ends the open event streams)
 * await orderChanges.close()
 * ```
 */
export function createOrderChangeFeed(props: OrderChangeFeedProps): OrderChangeFeed {
  const logger = props.logger.child({ component: 'order-change-feed' })
  const listeners = new Map<string, Set<OrderChangeListener>>()
  const firstDelay = props.reconnectDelayMs ?? 500
  let client: pg.Client | null = null
  let closed = false
  let connectedOnce = false
  let delay = firstDelay
  let reconnectTimer: NodeJS.Timeout | null = null
  let markReady: () => void = () => undefined
  const readyPromise = new Promise<void>((resolve) => (markReady = resolve))

  function tell(listener: OrderChangeListener, change: OrderChange): void {
    try {
      listener(change)
    } catch (error) {
      logger.error({ err: error }, 'an order change listener threw')
    }
  }

  function tellEveryone(change: OrderChange): void {
    for (const set of listeners.values()) for (const listener of [...set]) tell(listener, change)
  }

  function scheduleReconnect(): void {
    if (closed || reconnectTimer) return
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null
      void connect()
    }, delay)
    delay = Math.min(delay * 2, 30_000)
  }

  function dropped(dead: pg.Client, error?: Error): void {
    if (client !== dead) return
    client = null
    dead.removeAllListeners('notification')
    void dead.end().catch(() => undefined)
    if (closed) return
    logger.warn({ err: error }, 'order change feed lost its connection; reconnecting')
    scheduleReconnect()
  }

  async function connect(): Promise<void> {
    if (closed) return
    const next = new pg.Client({
      connectionString: props.connectionString,
      application_name: props.applicationName ?? 'order-change-feed',
      keepAlive: true,
    })
    next.on('error', (error) => dropped(next, error))
    next.on('end', () => dropped(next))
    next.on('notification', (message) => {
      if (message.channel === ORDER_NOTIFICATIONS_CHANNEL) {
        const notice = parseNotification(message.payload)
        const set = notice ? listeners.get(notice.orderId) : undefined
        if (notice && set) for (const listener of [...set]) tell(listener, { kind: 'notification', ...notice })
        return
      }
      if (message.channel !== ORDER_CHANGES_CHANNEL) return
      const change = parseChange(message.payload)
      if (!change) return logger.warn({ payload: message.payload }, 'unreadable order change ignored')
      const set = listeners.get(change.orderId)
      if (set) for (const listener of [...set]) tell(listener, { kind: 'changed', ...change })
    })
    try {
      client = next
      await next.connect()
      await next.query(`LISTEN ${ORDER_CHANGES_CHANNEL}; LISTEN ${ORDER_NOTIFICATIONS_CHANNEL}`)
    } catch (error) {
      if (client === next) client = null
      void next.end().catch(() => undefined)
      if (closed) return
      logger.warn({ err: error }, 'order change feed cannot listen yet; retrying')
      scheduleReconnect()
      return
    }
    if (closed) {
      await next.end().catch(() => undefined)
      return
    }
    delay = firstDelay
    if (connectedOnce) {
      logger.info('order change feed listening again; subscribers resync')
      tellEveryone({ kind: 'resync' })
    }
    connectedOnce = true
    markReady()
  }

  const healthCheck = setInterval(() => {
    const current = client
    if (!current || !connectedOnce) return
    current.query('select 1').catch((error: unknown) => dropped(current, error instanceof Error ? error : undefined))
  }, props.healthCheckMs ?? 30_000)
  healthCheck.unref()
  void connect()

  return {
    subscribe(orderId, listener) {
      let set = listeners.get(orderId)
      if (!set) listeners.set(orderId, (set = new Set()))
      set.add(listener)
      return () => {
        const current = listeners.get(orderId)
        if (!current) return
        current.delete(listener)
        if (current.size === 0) listeners.delete(orderId)
      }
    },
    subscriberCount() {
      let count = 0
      for (const set of listeners.values()) count += set.size
      return count
    },
    ready: () => readyPromise,
    async close() {
      if (closed) return
      closed = true
      clearInterval(healthCheck)
      if (reconnectTimer) clearTimeout(reconnectTimer)
      tellEveryone({ kind: 'closed' })
      listeners.clear()
      const current = client
      client = null
      await current?.end().catch(() => undefined)
    },
  }
}
