/**
 * A codec server for a throwaway stack's Web UI (the test run's, `npm run ui:screenshots`): on a port chosen
 * before the dev server starts (the UI is told its address then), allowing that UI's origin only, with a token
 * of its own that a browser signs in with.
 */
import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import { serveApp } from '../api/serve.js'
import { createCodecServer } from '../temporal/codec-server.js'
import { type PayloadKey, PayloadEncryptionCodec } from '../temporal/payload-encryption.js'
import { freePort } from './free-port.js'

export interface CodecServerForUi {
  url: string
  token: string
  close(): Promise<void>
}

/** A free port for the codec server, and its address for `--ui-codec-endpoint`. */
export async function reserveCodecEndpoint(): Promise<{ port: number; url: string }> {
  const port = await freePort()
  return { port, url: `http://localhost:${port}` }
}

/** Serves the codec server at a reserved endpoint for the UI at `uiUrl`. */
export async function serveCodecServerForUi(props: {
  endpoint: { port: number; url: string }
  uiUrl: string
  payloadKeys: readonly PayloadKey[]
  namespace: string
  logger: Logger
}): Promise<CodecServerForUi> {
  const token = randomBytes(24).toString('base64url')
  const server = await serveApp(
    createCodecServer({
      codec: new PayloadEncryptionCodec(props.payloadKeys),
      token,
      allowedOrigins: [props.uiUrl, props.uiUrl.replace('//localhost:', '//127.0.0.1:')],
      namespace: props.namespace,
      logger: props.logger,
    }),
    { host: '127.0.0.1', port: props.endpoint.port },
  )
  return { url: props.endpoint.url, token, close: () => server.close() }
}
