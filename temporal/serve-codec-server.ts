import type { Logger } from 'pino'
import { type RunningServer, serveApp } from '../api/serve.js'
import type { Config } from '../config.js'
import { createCodecServer } from './codec-server.js'
import { PayloadEncryptionCodec } from './payload-encryption.js'

/**
 * Serves the codec server the config describes, over the payload keys every client and worker of the engine
 * uses. `npm start` and `npm run codec-server` both serve it through this.
 */
export async function serveCodecServer(config: Config, logger: Logger): Promise<RunningServer> {
  const app = createCodecServer({
    codec: new PayloadEncryptionCodec(config.temporal.payloadKeys),
    token: config.codecServer.token,
    allowedOrigins: config.codecServer.allowedOrigins,
    namespace: config.temporal.namespace,
    logger,
  })
  const server = await serveApp(app, { host: config.codecServer.host, port: config.codecServer.port })
  logger.info({ url: config.codecServer.url, allowedOrigins: config.codecServer.allowedOrigins }, 'codec server listening')
  return server
}
