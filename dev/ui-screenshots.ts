/**
 * `npm run ui:screenshots`: what support staff see in the Temporal Web UI,
 * as PNGs for the README. Starts an embedded PostgreSQL and a Temporal dev
 * server with its UI of its own (throwaway data, free ports) and a worker,
 * places a few orders and takes them to the states support meets (delivered
 * and partly refunded, waiting for a cash-on-delivery confirmation, declined),
 * then saves into `docs/ui/`:
 *
 * - `workflow-list.png`: the orders, with their OrderStatus, CustomerId, PaymentMethod and OrderTotal columns;
 * - `awaiting-confirmation.png`: the list searched with `OrderStatus='AWAITING_CONFIRMATION' AND ExecutionStatus='Running'`;
 * - `order-timeline.png`: the delivered order's timeline, each activity and timer with its summary;
 * - `order-details.png`: its User Metadata tab: summary, details, current details.
 *
 * Needs `apt-get install -y chromium`.
 */
import { randomUUID } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Client } from '@temporalio/client'
import { priceOrder, startOrderWorkflow } from '../commerce/place-order.js'
import { loadConfig, projectRoot } from '../config.js'
import { createDatabase, type Kysely } from '../db/connection.js'
import { seedDemoCatalog } from '../db/demo-catalog.js'
import { migrateToLatest } from '../db/migrate.js'
import type { Database } from '../db/schema.js'
import type { OrderState, PaymentInstruction } from '../domain/order-types.js'
import type { CarrierEventStatus } from '../domain/vocabulary.js'
import { createLogger, installTemporalLogging } from '../logger.js'
import { connectTemporal } from '../temporal/client.js'
import { connectWorkerToTemporal } from '../temporal/worker-connection.js'
import { createOrderWorker } from '../workers/create-order-worker.js'
import { carrierEventSignal, orderWorkflowId, refundPaymentUpdate, statusQuery } from '../workflows/messages.js'
import { CHROMIUM_PATH, chromiumInstalled } from './docs-in-browser.js'
import { startLocalStack } from './local-stack.js'
import { type CodecServerForUi, reserveCodecEndpoint, serveCodecServerForUi } from './codec-server-for-ui.js'
import { openTemporalUi } from './temporal-ui-in-browser.js'

if (!chromiumInstalled()) {
  console.error(`No browser at ${CHROMIUM_PATH}: apt-get update && apt-get install -y chromium`)
  process.exit(1)
}
const outputDir = join(projectRoot, 'docs', 'ui')
const taskQueue = 'orders'
const admin = { type: 'admin' as const, id: 'ops_jane' }

interface Demo {
  db: Kysely<Database>
  temporal: Client
}

const scratch = mkdtempSync(join(tmpdir(), 'order-engine-ui-'))
const config = loadConfig({ DATA_DIR: scratch, NODE_ENV: 'development', LOG_LEVEL: 'warn' })
const logger = createLogger('warn', 'ui-screenshots')
installTemporalLogging(logger, { level: 'ERROR' })
const codecEndpoint = await reserveCodecEndpoint()
const stack = await startLocalStack(config, logger, {
  ephemeral: true,
  ephemeralUi: true,
  codecEndpoint: codecEndpoint.url,
  scratchDir: scratch,
  allowCliDownload: true,
})
// Payloads (summaries and details too) are sealed: the UI shows them through the codec server, as support sees them.
const codec = await serveCodecServerForUi({
  endpoint: codecEndpoint,
  uiUrl: stack.describe.temporalUi ?? '',
  payloadKeys: config.temporal.payloadKeys,
  namespace: config.temporal.namespace,
  logger,
})
const db = createDatabase({ connectionString: stack.databaseUrl })
const endpoint = { ...config.temporal, address: stack.temporalAddress }
const { connection, client: temporal } = await connectTemporal(endpoint)
const workerConnection = await connectWorkerToTemporal(endpoint)
let failed = false
try {
  await migrateToLatest(db)
  await seedDemoCatalog(db)
  const worker = await createOrderWorker({
    connection: workerConnection,
    namespace: config.temporal.namespace,
    taskQueue,
    db,
    logger,
    workflowBundlePath: null,
    payloadKeys: config.temporal.payloadKeys,
  })
  const running = worker.run()
  try {
    const demo = { db, temporal }
    const delivered = await deliveredAndRefunded(demo)
    await placeOrder(demo, 'cust_grace', [{ sku: 'HOODIE-GRY-L', quantity: 1 }], { method: 'cod' })
    await placeOrder(demo, 'cust_linus', [{ sku: 'SNEAKER-LTD-42', quantity: 1 }], {
      method: 'card',
      token: 'tok_chargeDeclined',
    })
    const confirmed = await placeOrder(demo, 'cust_ada', [{ sku: 'TSHIRT-BLK-M', quantity: 3 }], {
      method: 'card',
      token: 'tok_visa',
    })
    await until(demo, confirmed, (order) => order.fulfillmentStatus === 'LABEL_CREATED')
    await screenshots(stack.describe.temporalUi ?? '', config.temporal.namespace, delivered, codec)
  } finally {
    worker.shutdown()
    await running
  }
} catch (error) {
  console.error(error)
  failed = true
} finally {
  await workerConnection.close()
  await connection.close()
  await db.destroy()
  await codec.close()
  await stack.stop()
  rmSync(scratch, { recursive: true, force: true })
}
process.exit(failed ? 1 : 0)

/** A card order placed, shipped, delivered, then partly refunded by an admin: the timeline support reads most. */
async function deliveredAndRefunded(demo: Demo): Promise<string> {
  const orderId = await placeOrder(demo, 'cust_ada', [{ sku: 'MUG-CLASSIC', quantity: 2 }], {
    method: 'card',
    token: 'tok_visa',
  })
  const labelled = await until(demo, orderId, (order) => order.fulfillmentStatus === 'LABEL_CREATED')
  const handle = demo.temporal.workflow.getHandle(orderWorkflowId(orderId))
  for (const status of ['PICKED_UP', 'IN_TRANSIT', 'DELIVERED'] satisfies CarrierEventStatus[]) {
    await handle.signal(carrierEventSignal, {
      eventId: `evt-${orderId}-${status}`,
      trackingNumber: labelled.shipment?.trackingNumber ?? '',
      status,
      occurredAt: new Date().toISOString(),
      location: status === 'DELIVERED' ? 'London' : null,
    })
  }
  await until(demo, orderId, (order) => order.status === 'DELIVERED')
  await handle.executeUpdate(refundPaymentUpdate, {
    args: [{ actor: admin, amount: 500, reason: 'damaged', note: 'handle chipped' }],
    updateId: `refund-${admin.id}-${randomUUID()}`,
  })
  return orderId
}

async function placeOrder(
  { db, temporal }: Demo,
  customerId: string,
  lines: Array<{ sku: string; quantity: number }>,
  payment: PaymentInstruction,
): Promise<string> {
  const orderId = randomUUID()
  const input = await priceOrder(
    db,
    { codConfirmationTimeoutMs: 2 * 86_400_000, refundWindowMs: 30 * 86_400_000 },
    {
      orderId,
      customerId,
      lines,
      currency: 'USD',
      shippingAddress: {
        name: 'Ada Lovelace',
        line1: '12 St James Sq',
        line2: null,
        city: 'London',
        region: null,
        postalCode: 'SW1Y 4JH',
        country: 'GB',
      },
      payment,
      placedAt: new Date().toISOString(),
    },
  )
  await startOrderWorkflow({ db, temporal, taskQueue }, input)
  return orderId
}

/** Polls the order's `status` until `ready` holds (60 s at most). */
async function until(demo: Demo, orderId: string, ready: (order: OrderState) => boolean): Promise<OrderState> {
  const handle = demo.temporal.workflow.getHandle(orderWorkflowId(orderId))
  const deadline = Date.now() + 60_000
  for (;;) {
    const order = await handle.query(statusQuery)
    if (ready(order)) return order
    if (Date.now() > deadline) throw new Error(`order ${orderId} is ${order.status}: not there after 60 s`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

async function screenshots(uiUrl: string, namespace: string, orderId: string, codec: CodecServerForUi): Promise<void> {
  mkdirSync(outputDir, { recursive: true })
  const ui = await openTemporalUi({ uiUrl, namespace, codec })
  try {
    await ui.openWorkflowList()
    await ui.showOrderColumns()
    await ui.screenshot(join(outputDir, 'workflow-list.png'), { width: 1880, height: 520 })
    await ui.openWorkflowList("OrderStatus='AWAITING_CONFIRMATION' AND ExecutionStatus='Running'")
    await ui.screenshot(join(outputDir, 'awaiting-confirmation.png'), { width: 1880, height: 420 })
    await ui.openWorkflow(orderWorkflowId(orderId), 'Refund window closes')
    await ui.screenshot(join(outputDir, 'order-timeline.png'), { width: 1440, height: 1900 })
    await ui.openUserMetadata('Waiting for refund requests until')
    await ui.screenshot(join(outputDir, 'order-details.png'), { width: 1440, height: 820 })
    for (const name of ['workflow-list', 'awaiting-confirmation', 'order-timeline', 'order-details'])
      console.log(`saved ${join('docs', 'ui', `${name}.png`)}`)
  } finally {
    await ui.close()
  }
}
