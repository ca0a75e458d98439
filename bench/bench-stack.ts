/**
 * What every figure runs against: embedded PostgreSQL and the Temporal dev
 * server on free ports (dev/local-stack.ts; Temporal in a SQLite file, as
 * `npm start` keeps it), the real API (`api/main.ts`) and the real order
 * worker as child processes, the baselines' worker and the bare read handler
 * beside them. Carrier autopilot off (the bench sends the carrier's events),
 * rate limits lifted.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Client, Connection } from '@temporalio/client'
import { DefaultLogger, bundleWorkflowCode } from '@temporalio/worker'
import { type Role, signAccessToken } from '../api/auth.js'
import { CARRIER_SIGNATURE_HEADER, signCarrierPayload } from '../api/carrier-signature.js'
import { priceOrder } from '../commerce/place-order.js'
import { loadConfig, projectRoot } from '../config.js'
import { type Kysely, createDatabase } from '../db/connection.js'
import { sql } from 'kysely'
import { migrateToLatest } from '../db/migrate.js'
import type { Database } from '../db/schema.js'
import { freePort } from '../dev/free-port.js'
import { startLocalStack } from '../dev/local-stack.js'
import { startTemporalDevServer } from '../dev/temporal-dev-server.js'
import type { PaymentInstruction, PlaceOrderInput } from '../domain/order-types.js'
import type { CarrierEventStatus } from '../domain/vocabulary.js'
import { createLogger } from '../logger.js'
import { type TemporalEndpoint, connectTemporal } from '../temporal/client.js'
import { buildWorkflowBundle } from '../workers/build-workflow-bundle.js'
import type { OrderWorkerTuning } from '../workers/create-order-worker.js'
import { type BenchChild, startChild } from './child-process.js'
import { inheritedEnvironment } from './environment.js'
import { pause } from './load.js'

const jwtSecret = 'bench-jwt-secret-that-is-long-enough-0123'
const carrierSecret = 'bench-carrier-secret-0123'

export interface BenchStackOptions {
  /** `--sqlite-pragma name=value` for the dev server; its durable defaults when omitted. */
  sqlitePragmas?: Record<string, string>
  workerTuning: OrderWorkerTuning
  /** `--cpu-prof-api <dir>`: the API writes a CPU profile there when the stack stops. */
  apiProfileDir?: string
}

export interface HttpAnswer {
  status: number
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- figures read whatever the API sent
  body: any
}

export interface BenchStack {
  db: Kysely<Database>
  client: Client
  connection: Connection
  /** How the bench's own clients reach its Temporal (address, namespace, payload keys). */
  temporalEndpoint: TemporalEndpoint
  databaseUrl: string
  /** The task queue of the API and the real order worker. */
  taskQueue: string
  /** The task queue of the baselines' worker. */
  baselineQueue: string
  apiUrl: string
  bareUrl: string
  /** A product with stock that never runs out. */
  sku: string
  token(role: Role, subject: string): Promise<string>
  /** A JSON request to the API; any status is an answer. */
  call(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<HttpAnswer>
  /** Posts a carrier event to the API's webhook, signed as a carrier signs it. */
  carrier(event: {
    eventId: string
    trackingNumber: string
    status: CarrierEventStatus
    occurredAt: string
    amountCollected?: number
  }): Promise<HttpAnswer>
  /** The priced input of an order, as the API would start its workflow with. */
  orderInput(orderId: string, customerId: string, payment: PaymentInstruction): Promise<PlaceOrderInput>
  /** A fresh worker child process on its own task queue: the real order worker, or the baselines'; on another Temporal when given. */
  startWorker(
    kind: 'order' | 'baseline',
    taskQueue: string,
    temporalAddress?: string,
    tuning?: OrderWorkerTuning,
    /** Options for Node itself (`--max-semi-space-size=1`). */
    nodeArgs?: string[],
  ): Promise<BenchChild>
  /** Another Temporal dev server, on a SQLite file of its own with these pragmas; stopped with the stack. */
  startTemporal(sqlitePragmas: Record<string, string>): Promise<{ address: string; stop(): Promise<void> }>
  /**
   * Waits (at most `maxMs`) until no order is PENDING and none changed in the last 3 s: the worker has caught
   * up with what the last figure placed.
   */
  settle(maxMs?: number): Promise<void>
  stop(): Promise<void>
}

export async function startBenchStack(options: BenchStackOptions): Promise<BenchStack> {
  const stops: Array<() => Promise<unknown>> = []
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch((error: unknown) => console.error('bench: stop failed', error))
  }
  try {
    const scratch = await mkdtemp(join(tmpdir(), 'order-engine-bench-'))
    stops.push(() => rm(scratch, { recursive: true, force: true }))
    const logger = createLogger('warn', 'bench')
    const ambient = inheritedEnvironment()
    const config = loadConfig({ PATH: ambient['PATH'], TEMPORAL_CLI_PATH: ambient['TEMPORAL_CLI_PATH'], DATA_DIR: scratch })
    const stack = await startLocalStack(config, logger, {
      ephemeral: true,
      scratchDir: scratch,
      allowCliDownload: true,
      temporalOnDisk: true,
      ...(options.sqlitePragmas ? { sqlitePragmas: options.sqlitePragmas } : {}),
    })
    stops.push(stack.stop)

    const db = createDatabase({ connectionString: stack.databaseUrl })
    stops.push(() => db.destroy())
    await migrateToLatest(db)
    const sku = await addEndlessProduct(db)
    const { connection, client } = await connectTemporal({ ...config.temporal, address: stack.temporalAddress })
    stops.push(() => connection.close())

    const workflowBundlePath = join(scratch, 'workflow-bundle.js')
    const baselineBundlePath = join(scratch, 'baseline-bundle.js')
    await buildWorkflowBundle(workflowBundlePath)
    await bundleBaselines(baselineBundlePath)

    const taskQueue = config.temporal.taskQueue
    const baselineQueue = 'bench-baselines'
    const apiPort = await freePort()
    const apiUrl = `http://127.0.0.1:${apiPort}`
    const childEnv = {
      DATA_DIR: scratch,
      DATABASE_URL: stack.databaseUrl,
      TEMPORAL_ADDRESS: stack.temporalAddress,
      WORKFLOW_BUNDLE_PATH: workflowBundlePath,
      JWT_SECRET: jwtSecret,
      CARRIER_WEBHOOK_SECRET: carrierSecret,
      CARRIER_AUTOPILOT: 'false',
      RATE_LIMIT_PLACE_ORDER: '100000000/1m',
      RATE_LIMIT_ADMIN_ACTIONS: '100000000/1m',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'development',
    }
    const startWorker = (
      kind: 'order' | 'baseline',
      queue: string,
      address = stack.temporalAddress,
      tuning: OrderWorkerTuning = options.workerTuning,
      nodeArgs: string[] = [],
    ) =>
      kind === 'order'
        ? startChild({
            script: 'bench/order-worker-process.ts',
            args: [JSON.stringify(tuning)],
            nodeArgs,
            env: { ...childEnv, TEMPORAL_ADDRESS: address, TEMPORAL_TASK_QUEUE: queue },
          })
        : startChild({
            script: 'bench/baseline-worker-process.ts',
            args: [queue, baselineBundlePath],
            nodeArgs,
            env: { ...childEnv, TEMPORAL_ADDRESS: address },
          })
    let extraServers = 0
    const startTemporal = async (sqlitePragmas: Record<string, string>) => {
      const server = await startTemporalDevServer({
        projectRoot,
        cliPath: config.temporal.cliPath,
        pathVariable: config.temporal.searchPath,
        namespace: config.temporal.namespace,
        dbFilename: join(scratch, `temporal-${++extraServers}.db`),
        port: null,
        uiPort: null,
        allowDownload: true,
        logger,
        sqlitePragmas,
      })
      stops.push(server.stop)
      return server
    }

    const children = [
      startWorker('order', taskQueue),
      startWorker('baseline', baselineQueue),
      startChild({
        script: 'api/main.ts',
        ...(options.apiProfileDir ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${options.apiProfileDir}`] } : {}),
        env: { ...childEnv, HOST: '127.0.0.1', PORT: String(apiPort), PUBLIC_URL: apiUrl },
        ready: async () => (await fetch(`${apiUrl}/health`)).ok,
      }),
    ]
    const barePort = await freePort()
    children.push(startChild({ script: 'bench/bare-read-server.ts', args: [stack.databaseUrl, String(barePort)] }))
    for (const child of await Promise.all(children)) stops.push(child.stop)

    const call: BenchStack['call'] = async (method, path, request = {}) => {
      const headers: Record<string, string> = { ...request.headers }
      if (request.token) headers['Authorization'] = `Bearer ${request.token}`
      let body: string | undefined
      if (request.body !== undefined) {
        headers['Content-Type'] ??= 'application/json'
        body = typeof request.body === 'string' ? request.body : JSON.stringify(request.body)
      }
      const response = await fetch(`${apiUrl}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) })
      const text = await response.text()
      return { status: response.status, body: text && text.startsWith('{') ? JSON.parse(text) : text }
    }

    return {
      db,
      client,
      connection,
      temporalEndpoint: { ...config.temporal, address: stack.temporalAddress },
      databaseUrl: stack.databaseUrl,
      taskQueue,
      baselineQueue,
      apiUrl,
      bareUrl: `http://127.0.0.1:${barePort}`,
      sku,
      token: (role, subject) => signAccessToken(jwtSecret, { role, subject }),
      call,
      carrier(event) {
        const body = JSON.stringify({ ...event, location: 'Sorting centre' })
        return call('POST', '/v1/carrier-events', {
          body,
          headers: { [CARRIER_SIGNATURE_HEADER]: signCarrierPayload(carrierSecret, body) },
        })
      },
      orderInput: (orderId, customerId, payment) =>
        priceOrder(
          db,
          { codConfirmationTimeoutMs: config.orders.codConfirmationTimeoutMs, refundWindowMs: config.orders.refundWindowMs },
          {
            orderId,
            customerId,
            lines: [{ sku, quantity: 1 }],
            currency: 'USD',
            shippingAddress: benchAddress,
            payment,
            placedAt: new Date().toISOString(),
          },
        ),
      startWorker,
      startTemporal,
      async settle(maxMs = 60_000) {
        const deadline = Date.now() + maxMs
        while (Date.now() < deadline) {
          const { busy } = await db
            .selectFrom('orders')
            .select((eb) => eb.fn.countAll<string>().as('busy'))
            .where((eb) => eb.or([eb('status', '=', 'PENDING'), eb('updated_at', '>', sql<Date>`now() - interval '3 seconds'`)]))
            .executeTakeFirstOrThrow()
          if (Number(busy) === 0) return
          await pause(1_000)
        }
      },
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}

/** Where every bench order goes, in the shape a placement sends it and the workflow keeps it. */
export const benchAddress = {
  name: 'Ada Lovelace',
  line1: '12 St James Sq',
  line2: null,
  city: 'London',
  region: null,
  postalCode: 'SW1Y 4JH',
  country: 'GB',
}

async function addEndlessProduct(db: Kysely<Database>): Promise<string> {
  const sku = 'BENCH-ENDLESS'
  await db.insertInto('shipping_rates').values({ currency: 'USD', flat_amount: 599, free_from_amount: 10_000 }).execute()
  await db.insertInto('products').values({ sku, name: 'Bench product' }).execute()
  await db.insertInto('product_prices').values({ sku, currency: 'USD', unit_amount: 1_000 }).execute()
  await db.insertInto('stock_levels').values({ sku, on_hand: 1_000_000_000 }).execute()
  return sku
}

async function bundleBaselines(outputPath: string): Promise<void> {
  const workflowsPath = fileURLToPath(new URL('./baseline-workflows.ts', import.meta.url))
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') })
  await writeFile(outputPath, code)
}
