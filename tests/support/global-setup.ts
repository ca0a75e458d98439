import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { loadConfig } from '../../config.js'
import { createDatabase } from '../../db/connection.js'
import { migrateToLatest } from '../../db/migrate.js'
import { reserveCodecEndpoint, serveCodecServerForUi } from '../../dev/codec-server-for-ui.js'
import { startLocalStack } from '../../dev/local-stack.js'
import { createLogger } from '../../logger.js'
import { testPayloadKeys } from './test-payload-keys.js'
import { buildWorkflowBundle } from '../../workers/build-workflow-bundle.js'

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string
    temporalAddress: string
    workflowBundlePath: string
    /** The run's Temporal Web UI, `http://localhost:<port>`; empty when TEMPORAL_ADDRESS names a server of its own. */
    temporalUiUrl: string
    /** The codec server the Web UI decodes payloads through, and the token that signs a browser in. */
    codecServer: { url: string; token: string }
  }
}

/**
 * Starts the real services once per run: embedded PostgreSQL (or
 * DATABASE_URL) and the Temporal dev server with its Web UI (or TEMPORAL_ADDRESS), migrates
 * the schema, and bundles the workflows once for every worker in the run.
 */
export default async function setup(project: TestProject) {
  const scratch = await mkdtemp(join(tmpdir(), 'order-engine-test-'))
  const config = loadConfig({ ...process.env, DATA_DIR: scratch, NODE_ENV: 'test' })
  const logger = createLogger(process.env['TEST_LOG_LEVEL'] ?? 'warn', 'test-stack')
  // The Web UI decodes payloads through a codec server over the test key, as npm start's does.
  const codecEndpoint = await reserveCodecEndpoint()
  const stack = await startLocalStack(config, logger, {
    ephemeral: true,
    ephemeralUi: true,
    codecEndpoint: codecEndpoint.url,
    scratchDir: scratch,
    allowCliDownload: true,
  })
  const uiUrl = stack.describe.temporalUi ?? ''
  const codecServer = await serveCodecServerForUi({
    endpoint: codecEndpoint,
    uiUrl,
    payloadKeys: testPayloadKeys,
    namespace: 'default',
    logger,
  })
  const db = createDatabase({ connectionString: stack.databaseUrl, maxConnections: 1 })
  await migrateToLatest(db)
  await db.destroy()
  const workflowBundlePath = join(scratch, 'workflow-bundle.js')
  await buildWorkflowBundle(workflowBundlePath)

  project.provide('databaseUrl', stack.databaseUrl)
  project.provide('temporalAddress', stack.temporalAddress)
  project.provide('workflowBundlePath', workflowBundlePath)
  project.provide('temporalUiUrl', uiUrl)
  project.provide('codecServer', { url: codecServer.url, token: codecServer.token })

  return async () => {
    await codecServer.close()
    await stack.stop()
    await rm(scratch, { recursive: true, force: true })
  }
}
