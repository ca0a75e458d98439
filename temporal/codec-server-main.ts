/**
 * `npm run codec-server`: the codec server on its own (compose runs it beside the Temporal Web UI), with the same
 * TEMPORAL_PAYLOAD_KEYS as the API and the worker, CODEC_SERVER_TOKEN and CODEC_SERVER_ALLOWED_ORIGINS.
 */
import { ConfigError, loadConfig } from '../config.js'
import { createLogger } from '../logger.js'
import { serveCodecServer } from './serve-codec-server.js'

let server
try {
  const config = loadConfig()
  server = await serveCodecServer(config, createLogger(config.logLevel, 'codec-server'))
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error)
  process.exit(1)
}

let stopping = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return
    stopping = true
    void server.close().then(() => process.exit(0))
  })
}
