/**
 * `npm start`: the whole order engine on one machine. PostgreSQL and Temporal
 * are embedded unless DATABASE_URL / TEMPORAL_ADDRESS point elsewhere; data
 * persists in `.data/`, so an order in flight carries on after a restart.
 */
import { carrierWebhookSender, startCarrierAutopilot } from './simulated-carrier-autopilot.js'
import { signAccessToken } from '../api/auth.js'
import { serveApi } from '../api/serve-api.js'
import { ConfigError, loadConfig } from '../config.js'
import { createDatabase } from '../db/connection.js'
import { seedDemoCatalog } from '../db/demo-catalog.js'
import { migrateToLatest } from '../db/migrate.js'
import { createLogger, installTemporalLogging } from '../logger.js'
import { connectTemporal } from '../temporal/client.js'
import { runningStackFile, temporalCliConfigFile, writeRunningStack } from '../temporal/running-stack.js'
import { serveCodecServer } from '../temporal/serve-codec-server.js'
import { connectWorkerToTemporal } from '../temporal/worker-connection.js'
import { installTracing } from '../tracing.js'
import { createConfiguredOrderWorker } from '../workers/configured-order-worker.js'
import { freePort } from './free-port.js'
import { startLocalStack } from './local-stack.js'

let config
try {
  config = loadConfig()
  // A newcomer's webhook receiver runs on this machine: npm start lets webhooks reach it unless told otherwise.
  config = { ...config, webhooks: { ...config.webhooks, allowPrivateTargets: config.webhooks.allowPrivateTargets ?? true } }
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error)
  process.exit(1)
}
const stopTracing = installTracing({
  otlpEndpoint: config.telemetry.otlpEndpoint,
  serviceName: config.telemetry.serviceName ?? 'order-engine',
})
const logger = createLogger(config.logLevel)
// The worker's SDK metrics join the API's /metrics; on a free port unless TEMPORAL_METRICS_ADDRESS names one.
const metricsAddress = config.temporal.metricsAddress ?? `127.0.0.1:${await freePort()}`
installTemporalLogging(logger, { drainWorkersOnSignals: false, metricsAddress })

const stack = await startLocalStack(config, logger, {
  ephemeral: false,
  allowCliDownload: true,
}).catch((error: unknown) => {
  logger.fatal(error instanceof Error ? error.message : error)
  process.exit(1)
})
const shutdown: Array<() => Promise<unknown>> = [stack.stop, stopTracing]

const db = createDatabase({ connectionString: stack.databaseUrl })
shutdown.push(() => db.destroy())
const applied = await migrateToLatest(db)
logger.info({ applied }, applied.length > 0 ? 'migrations applied' : 'schema up to date')
if (await seedDemoCatalog(db)) logger.info('demo catalog seeded (SNEAKER-LTD-42 has only 2 units: try overselling it)')

const endpoint = { ...config.temporal, address: stack.temporalAddress }
const { connection: clientConnection, client: temporal } = await connectTemporal(endpoint)
shutdown.push(() => clientConnection.close())

const workerConnection = await connectWorkerToTemporal(endpoint)
shutdown.push(() => workerConnection.close())
const mailing = { ...config, notifications: { ...config.notifications, smtpUrl: stack.smtpUrl } }
const worker = await createConfiguredOrderWorker(mailing, {
  temporal: { connection: clientConnection, client: temporal },
  connection: workerConnection,
  db,
  logger,
})
const workerRun = worker.run()
logger.info({ taskQueue: config.temporal.taskQueue }, 'order worker running')

const api = await serveApi({ config, db, databaseUrl: stack.databaseUrl, temporal, logger })
const codecServer = await serveCodecServer(config, logger.child({ component: 'codec-server' }))
shutdown.push(() => codecServer.close())
// Where operators' tools find this stack: npm run admin reads the JSON, the temporal CLI the TOML profile.
writeRunningStack(
  config.dataDir,
  {
    address: stack.temporalAddress,
    namespace: config.temporal.namespace,
    uiUrl: stack.describe.temporalUi,
    codecEndpoint: config.codecServer.url,
  },
  `Bearer ${config.codecServer.token}`,
)

const autopilot = config.carrier.autopilot ?? true
const stopAutopilot = autopilot
  ? startCarrierAutopilot({
      db,
      logger: logger.child({ component: 'simulated-carrier' }),
      stepMs: config.carrier.autopilotStepMs,
      send: carrierWebhookSender(config.api.publicUrl, config.carrier.webhookSecret),
    })
  : async () => undefined

// With JWKS_URL the API accepts only the identity provider's tokens: there are none to print.
const tokenClaims = { issuer: config.auth.issuer, audience: config.auth.audience, expiresIn: 7 * 86_400 }
const tokenLines = config.auth.jwksUrl
  ? [`  Tokens           from your identity provider (JWKS_URL=${config.auth.jwksUrl})`]
  : [
      `  export CUSTOMER_TOKEN=${await signAccessToken(config.auth.jwtSecret, { subject: 'cust_demo', role: 'customer', email: 'cust_demo@example.com', ...tokenClaims })}`,
      `  export ADMIN_TOKEN=${await signAccessToken(config.auth.jwtSecret, { subject: 'admin_demo', role: 'admin', ...tokenClaims })}`,
    ]
console.log(
  [
    '',
    'Order engine is up.',
    `  API              ${config.api.publicUrl}   (try GET ${config.api.publicUrl}/v1/products)`,
    `  API reference    ${config.api.publicUrl}/docs   metrics at ${config.api.publicUrl}/metrics`,
    `  Temporal Web UI  ${stack.describe.temporalUi ?? '(external cluster)'}`,
    `  Temporal         ${stack.temporalAddress}   namespace ${config.temporal.namespace}   ${stack.describe.temporal}`,
    `  Codec server     ${config.codecServer.url}   decodes payloads for the Web UI and the CLI (sign a browser in there)`,
    `  Written to       ${runningStackFile(config.dataDir)} (npm run admin reads it), ${temporalCliConfigFile(config.dataDir)} (the temporal CLI's)`,
    `  PostgreSQL       ${stack.describe.postgres}`,
    `  Mail             ${stack.describe.mail ?? '(none: SMTP_URL unset)'}`,
    `  Carrier          simulated, ${autopilot ? `moving parcels every ${config.carrier.autopilotStepMs / 1000}s` : 'autopilot off (CARRIER_AUTOPILOT=false)'}`,
    '',
    ...tokenLines,
    `  export CODEC_SERVER_TOKEN=${config.codecServer.token}`,
    `  export TEMPORAL_CONFIG_FILE=${temporalCliConfigFile(config.dataDir)}   # the temporal CLI: this stack, decoded`,
    '',
    'Ctrl-C stops everything; orders in flight carry on at the next npm start.',
    '',
  ].join('\n'),
)

let stopping = false
async function stop(signal: string) {
  // One Ctrl-C reaches this process more than once (the terminal signals the whole process group, and
  // npm and tsx each relay it too): later copies must find a listener, or Node's default kills us mid-drain.
  if (stopping) return logger.info({ signal }, 'already stopping')
  stopping = true
  logger.info({ signal }, 'stopping: draining the worker and the API')
  await stopAutopilot()
  await api.stop().catch((error: unknown) => logger.warn({ err: error }, 'API stop failed'))
  worker.shutdown()
  await workerRun.catch((error: unknown) => logger.error({ err: error }, 'worker stopped with an error'))
  for (const step of shutdown.reverse())
    await step().catch((error: unknown) => logger.warn({ err: error }, 'shutdown step failed'))
  logger.info('stopped')
  process.exit(0)
}
process.on('SIGINT', () => void stop('SIGINT'))
process.on('SIGTERM', () => void stop('SIGTERM'))
