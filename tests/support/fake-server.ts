/**
 * What the fake Stripe and PayPal servers share: a loopback HTTP server that
 * enforces idempotency keys the way the real providers do, and can lose the
 * response to a request after doing its work, as a dropped connection does.
 */
import { createHash } from 'node:crypto'
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http'

export interface FakeResponse {
  status: number
  body: unknown
}

export interface FakeRequest {
  method: string
  path: string
  headers: IncomingMessage['headers']
  raw: string
}

export interface IdempotentCall {
  key: string
  path: string
  replayed: boolean
}

export interface FakeServerProps {
  /** The header carrying the idempotency key (`idempotency-key`, `paypal-request-id`). */
  keyHeader: string
  /** Which requests must carry a key: every mutating one, by default. */
  needsKey?: (request: FakeRequest) => boolean
  /** How a request with a reused key and other parameters is refused. */
  keyConflict: (key: string) => FakeResponse
  /** How a mutating request without a key is refused. */
  keyMissing: () => FakeResponse
  handle: (request: FakeRequest) => FakeResponse
  /** Which requests may lose their response: every mutating one, by default. */
  mayLose?: (request: FakeRequest) => boolean
  /** A canonical form of the request's parameters, compared when a key is reused. */
  fingerprint: (request: FakeRequest) => string
}

/** A small seeded random generator, so a failing run can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0
    return state / 2 ** 32
  }
}

export interface FakeServer {
  url: string
  /** The share of responses to drop after the work is done, between 0 and 1. */
  lossRate: number
  /** Responses dropped so far. */
  readonly lost: number
  /** Requests answered or dropped so far. */
  readonly requests: number
  /** Every call that carried an idempotency key, in arrival order. */
  readonly calls: readonly IdempotentCall[]
  close(): Promise<void>
}

export async function startFakeServer(props: FakeServerProps, seed = 42): Promise<FakeServer> {
  const random = seededRandom(seed)
  const stored = new Map<string, { fingerprint: string; response: FakeResponse }>()
  const calls: IdempotentCall[] = []
  let lost = 0
  let requests = 0

  function respond(request: FakeRequest): FakeResponse {
    const mutating = request.method !== 'GET'
    const key = request.headers[props.keyHeader]
    if (typeof key !== 'string' || key.length === 0) {
      return mutating && (props.needsKey?.(request) ?? true) ? props.keyMissing() : props.handle(request)
    }
    const fingerprint = createHash('sha256')
      .update(`${request.method} ${request.path} ${props.fingerprint(request)}`)
      .digest('hex')
    const previous = stored.get(key)
    if (previous) {
      calls.push({ key, path: request.path, replayed: true })
      return previous.fingerprint === fingerprint ? previous.response : props.keyConflict(key)
    }
    const response = props.handle(request)
    calls.push({ key, path: request.path, replayed: false })
    // Like Stripe, a server error is not stored: the client may retry the key and have the work done.
    if (response.status < 500) stored.set(key, { fingerprint, response })
    return response
  }

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      requests += 1
      const url = new URL(req.url ?? '/', 'http://fake')
      const request: FakeRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        headers: req.headers,
        raw: Buffer.concat(chunks).toString('utf8'),
      }
      let response: FakeResponse
      try {
        response = respond(request)
      } catch (error) {
        response = { status: 500, body: { error: { type: 'api_error', message: String(error) } } }
      }
      if (request.method !== 'GET' && (props.mayLose?.(request) ?? true) && random() < fake.lossRate) {
        lost += 1
        req.socket.destroy()
        return
      }
      const body = JSON.stringify(response.body)
      res.writeHead(response.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) })
      res.end(body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0

  const fake: FakeServer = {
    url: `http://127.0.0.1:${port}`,
    lossRate: 0,
    get lost() {
      return lost
    },
    get requests() {
      return requests
    },
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  return fake
}
