import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import type { TestProject } from 'vitest/node'
import { loadConfig } from '../../config.js'
import { createDatabase } from '../../db/connection.js'
import { migrateToLatest } from '../../db/migrate.js'
import { startLocalStack } from '../../dev/local-stack.js'
import { createLogger } from '../../logger.js'
import { serveApp } from '../../api/serve.js'
import { freePort } from '../../dev/free-port.js'
import { createCodecServer } from '../../temporal/codec-server.js'
import { PayloadEncryptionCodec } from '../../temporal/payload-encryption.js'
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
  const codecPort = await freePort()
  const codecUrl = `http://localhost:${codecPort}`
  const stack = await startLocalStack(config, logger, {
    ephemeral: true,
    ephemeralUi: true,
    codecEndpoint: codecUrl,
    scratchDir: scratch,
    allowCliDownload: true,
  })
  const uiUrl = stack.describe.temporalUi ?? ''
  const codecToken = randomBytes(24).toString('base64url')
  const codecServer = await serveApp(
    createCodecServer({
      codec: new PayloadEncryptionCodec(testPayloadKeys),
      token: codecToken,
      allowedOrigins: uiUrl ? [uiUrl, uiUrl.replace('//localhost:', '//127.0.0.1:')] : [],
      namespace: 'default',
      logger,
    }),
    { host: '127.0.0.1', port: codecPort },
  )
  const db = createDatabase({ connectionString: stack.databaseUrl, maxConnections: 1 })
  await migrateToLatest(db)
  await db.destroy()
  const workflowBundlePath = join(scratch, 'workflow-bundle.js')
  await buildWorkflowBundle(workflowBundlePath)

  project.provide('databaseUrl', stack.databaseUrl)
  project.provide('temporalAddress', stack.temporalAddress)
  project.provide('workflowBundlePath', workflowBundlePath)
  project.provide('temporalUiUrl', uiUrl)
  project.provide('codecServer', { url: codecUrl, token: codecToken })

  return async () => {
    await codecServer.close()
    await stack.stop()
    await rm(scratch, { recursive: true, force: true })
  }
}
