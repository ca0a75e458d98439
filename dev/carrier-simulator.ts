/**
 * `npm run carrier:simulate`: the simulated carrier on its own, for stacks
 * where the API and the worker run as separate processes (docker compose,
 * Kubernetes). It moves the parcels whose labels the worker bought with the
 * simulated carrier along their journey (return parcels too, to the warehouse), posting each event, signed, to the
 * API's carrier webhook at PUBLIC_URL (CARRIER_SIMULATOR_API_URL overrides it).
 * `npm start` runs the same autopilot in its own process.
 */
import { loadConfig } from '../config.js'
import { createDatabase } from '../db/connection.js'
import { createLogger } from '../logger.js'
import { carrierWebhookSender, startCarrierAutopilot } from './simulated-carrier-autopilot.js'

const config = loadConfig()
const logger = createLogger(config.logLevel, 'simulated-carrier')
if (!config.database.url) {
  logger.fatal('npm run carrier:simulate needs DATABASE_URL (the database the worker writes simulated parcels to)')
  process.exit(1)
}
const apiUrl = config.carrier.simulatorApiUrl ?? config.api.publicUrl
const db = createDatabase({ connectionString: config.database.url, maxConnections: 2 })
const stop = startCarrierAutopilot({
  db,
  logger,
  stepMs: config.carrier.autopilotStepMs,
  send: carrierWebhookSender(apiUrl, config.carrier.webhookSecret),
})
logger.info({ apiUrl, stepMs: config.carrier.autopilotStepMs }, 'simulated carrier moving parcels')

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void stop()
      .then(() => db.destroy())
      .then(() => process.exit(0))
  })
}
