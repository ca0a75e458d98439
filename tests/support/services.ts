/**
 * Connections to the run's shared PostgreSQL and Temporal, and a worker per
 * test file on its own task queue, so files never take each other's tasks.
 */
import { randomUUID } from 'node:crypto'
import type { Client } from '@temporalio/client'
import type { Worker } from '@temporalio/worker'
import { inject } from 'vitest'
import { createDatabase, type Kysely } from '../../db/connection.js'
import type { Database } from '../../db/schema.js'
import { createLogger, installTemporalLogging } from '../../logger.js'
import { type TemporalEndpoint, connectTemporal } from '../../temporal/client.js'
import { connectWorkerToTemporal } from '../../temporal/worker-connection.js'
import { createOrderWorker, type OrderWorkerProps } from '../../workers/create-order-worker.js'

export const logger = createLogger(process.env['TEST_LOG_LEVEL'] ?? 'silent', 'test')

import { testPayloadKeys } from './test-payload-keys.js'

export { testPayloadKeys, testPayloadKeysSetting } from './test-payload-keys.js'

/** The run's shared Temporal dev server, in the namespace every test uses. */
export function testTemporal(): TemporalEndpoint {
  return { address: inject('temporalAddress'), namespace: 'default', payloadKeys: testPayloadKeys }
}

export interface TestServices {
  db: Kysely<Database>
  client: Client
  taskQueue: string
  /** Starts a worker on this file's task queue; stopped by {@link TestServices.close}. */
  startWorker(overrides?: Partial<OrderWorkerProps>): Promise<RunningWorker>
  close(): Promise<void>
}

export interface RunningWorker {
  worker: Worker
  stop(): Promise<void>
}

export async function connectServices(
  options: { databaseUrl?: string; /** {@link testTemporal} unless given. */ temporal?: TemporalEndpoint } = {},
): Promise<TestServices> {
  installTemporalLogging(logger, { level: 'ERROR' })
  const db = createDatabase({ connectionString: options.databaseUrl ?? inject('databaseUrl'), maxConnections: 20 })
  const endpoint = options.temporal ?? testTemporal()
  const { connection, client } = await connectTemporal(endpoint)
  const nativeConnection = await connectWorkerToTemporal(endpoint).catch(async (error: unknown) => {
    await Promise.all([connection.close(), db.destroy()])
    throw error
  })
  const taskQueue = `test-${randomUUID()}`
  const running = new Set<RunningWorker>()

  return {
    db,
    client,
    taskQueue,
    async startWorker(overrides = {}) {
      const worker = await createOrderWorker({
        connection: nativeConnection,
        namespace: endpoint.namespace,
        taskQueue,
        payloadKeys: testPayloadKeys,
        db,
        logger,
        workflowBundlePath: inject('workflowBundlePath'),
        ...overrides,
      })
      const run = worker.run()
      const handle: RunningWorker = {
        worker,
        async stop() {
          running.delete(handle)
          if (worker.getState() === 'RUNNING') worker.shutdown()
          await run
        },
      }
      running.add(handle)
      return handle
    },
    async close() {
      for (const worker of [...running]) await worker.stop()
      await nativeConnection.close()
      await connection.close()
      await db.destroy()
    },
  }
}
