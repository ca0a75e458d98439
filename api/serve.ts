import { serve } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import type { Hono } from 'hono'

export interface RunningServer {
  port: number
  /** Stops accepting connections and waits for in-flight requests to finish. */
  close(): Promise<void>
}

/** Serves a Hono app (the API, the codec server) over HTTP; resolves once it listens. Port 0 picks a free port. */
export function serveApp(app: Pick<Hono, 'fetch'>, options: { host: string; port: number }): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: options.host, port: options.port }, (info: AddressInfo) => {
      resolve({
        port: info.port,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((error) => (error ? fail(error) : done()))
            if ('closeIdleConnections' in server) server.closeIdleConnections()
          }),
      })
    })
    server.once('error', reject)
  })
}
