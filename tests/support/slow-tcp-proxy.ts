/**
 * A real TCP proxy that holds every chunk a client sends for `delayMs` before
 * passing it on (in order), and answers straight back: a link to PostgreSQL
 * that is slow but works, for a process (a worker) whose writes must lag.
 */
import { type Server, type Socket, connect, createServer } from 'node:net'

export interface SlowTcpProxy {
  /** `url` with its host and port replaced by the proxy's. */
  via(url: string): string
  close(): Promise<void>
}

export async function startSlowTcpProxy(target: { host: string; port: number }, delayMs: number): Promise<SlowTcpProxy> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host)
    sockets.add(client).add(upstream)
    let queue = Promise.resolve()
    client.on('data', (chunk) => {
      queue = queue.then(
        () =>
          new Promise<void>((resolve) =>
            setTimeout(() => {
              if (!upstream.destroyed) upstream.write(chunk)
              resolve()
            }, delayMs),
          ),
      )
    })
    upstream.pipe(client)
    const end = () => {
      client.destroy()
      upstream.destroy()
      sockets.delete(client)
      sockets.delete(upstream)
    }
    client.on('close', end).on('error', end)
    upstream.on('close', end).on('error', end)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('the proxy has no port')
  return {
    via(url) {
      const proxied = new URL(url)
      proxied.hostname = '127.0.0.1'
      proxied.port = String(address.port)
      return proxied.href
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
