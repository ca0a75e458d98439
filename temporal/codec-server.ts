/**
 * The codec server: Temporal's codec server protocol (`POST /decode` and
 * `POST /encode`, each `{ "payloads": [...] }` in Temporal's JSON, with the
 * namespace in `X-Namespace`) over the engine's payload codec, so the Web UI
 * and the `temporal` CLI show what the engine sealed. It opens customer data,
 * so every call needs the codec server's token, and browsers may call it from
 * the Web UI's origin only.
 *
 * A caller proves it holds the token in one of two ways:
 * - `Authorization: Bearer <token>`: the CLI (`--codec-auth "Bearer <token>"`) and scripts;
 * - the `codec_session` cookie, which `POST /session` sets for a token typed
 *   into the form at `GET /`: the Web UI's browser then sends it with every
 *   call once the UI's codec server setting "Include cross-origin credentials"
 *   is on (the UI has no way to send a bearer token of our own).
 *
 * @example
 * ```sh
 * curl -s -X POST http://localhost:8234/decode -H "Authorization: Bearer $CODEC_SERVER_TOKEN" \
 *   -H 'Content-Type: application/json' -H 'X-Namespace: default' -d '{"payloads":[…]}'
 * ```
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { Payload, PayloadCodec } from '@temporalio/common'
import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { getCookie, setCookie } from 'hono/cookie'
import type { Logger } from 'pino'

export interface CodecServerProps {
  codec: PayloadCodec
  /** The secret every caller must present. */
  token: string
  /** Exact browser origins allowed to call (the Temporal Web UI's); any other `Origin` is refused. */
  allowedOrigins: readonly string[]
  /** The namespace whose payloads it decodes; a request naming another in `X-Namespace` is refused. */
  namespace: string
  logger: Logger
}

const SESSION_COOKIE = 'codec_session'
const SESSION_HOURS = 12
/** The UI sends a page of history events at a time; a batch larger than this is no UI's. */
const BODY_LIMIT_BYTES = 8 * 1_024 * 1_024
const MAX_PAYLOADS = 10_000

type Caller = 'bearer' | 'session'

/** The codec server's Hono app; serve it with `serveApp`. */
export function createCodecServer(props: CodecServerProps): Hono {
  const app = new Hono()
  const sessionValue = createHmac('sha256', props.token).update('order-engine codec session').digest('base64url')
  const allowed = new Set(props.allowedOrigins)

  app.use('*', async function codecServerCors(c, next) {
    const origin = c.req.header('Origin')
    if (origin !== undefined && !allowed.has(origin)) {
      props.logger.warn({ origin, path: c.req.path }, 'codec server refused a foreign origin')
      return c.json({ message: `origin ${origin} may not call this codec server` }, 403)
    }
    if (origin !== undefined) {
      c.header('Access-Control-Allow-Origin', origin)
      c.header('Access-Control-Allow-Credentials', 'true')
    }
    c.header('Vary', 'Origin')
    c.header('Cache-Control', 'no-store')
    if (c.req.method === 'OPTIONS') {
      c.header('Access-Control-Allow-Methods', 'POST, OPTIONS')
      c.header('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Namespace')
      c.header('Access-Control-Max-Age', '600')
      return c.body(null, 204)
    }
    await next()
  })

  for (const operation of ['decode', 'encode'] as const) {
    app.post(`/${operation}`, bodyLimit({ maxSize: BODY_LIMIT_BYTES }), async (c) => {
      const caller = callerOf(c)
      if (!caller) {
        c.header('WWW-Authenticate', 'Bearer realm="order-engine codec server"')
        return c.json({ message: 'send Authorization: Bearer <CODEC_SERVER_TOKEN>, or sign in at / first' }, 401)
      }
      const namespace = c.req.header('X-Namespace')
      if (namespace !== undefined && namespace !== props.namespace) {
        return c.json({ message: `this codec server serves namespace ${props.namespace}, not ${namespace}` }, 403)
      }
      const payloads = payloadsOf(await c.req.json().catch(() => null))
      if (!payloads) return c.json({ message: 'the body must be {"payloads": [{"metadata": {...}, "data": "<base64>"}]}' }, 400)
      let result: Payload[]
      try {
        result = await props.codec[operation](payloads)
      } catch (error) {
        props.logger.warn({ err: error, operation }, 'codec server could not run the codec')
        return c.json({ message: error instanceof Error ? error.message : `${operation} failed` }, 422)
      }
      // debug: the Web UI calls once per page of history it shows; LOG_LEVEL=debug keeps a trail of who decoded what.
      props.logger.debug(
        { operation, payloads: payloads.length, caller, origin: c.req.header('Origin') ?? null },
        'codec server call',
      )
      return c.json({ payloads: result.map(toJson) }, 200)
    })
  }

  app.get('/', (c) => {
    c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
    return c.html(
      signInPage(getCookie(c, SESSION_COOKIE) !== undefined && sameSecret(getCookie(c, SESSION_COOKIE)!, sessionValue)),
    )
  })

  app.post('/session', bodyLimit({ maxSize: 4_096 }), async (c) => {
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>)
    const token = form['token']
    if (typeof token !== 'string' || !sameSecret(token.trim(), props.token)) {
      return c.html(signInPage(false, 'That is not the codec server token.'), 401)
    }
    // SameSite=Strict is enough: the Web UI on another port of the same host is the same site.
    setCookie(c, SESSION_COOKIE, sessionValue, {
      httpOnly: true,
      sameSite: 'Strict',
      path: '/',
      maxAge: SESSION_HOURS * 3_600,
      secure: new URL(c.req.url).protocol === 'https:',
    })
    props.logger.info('codec server session started')
    return c.html(signInPage(true))
  })

  function callerOf(c: Context): Caller | null {
    const authorization = c.req.header('Authorization')
    const bearer = authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1]
    if (bearer !== undefined) return sameSecret(bearer, props.token) ? 'bearer' : null
    const session = getCookie(c, SESSION_COOKIE)
    return session !== undefined && sameSecret(session, sessionValue) ? 'session' : null
  }

  return app
}

/** Compares two secrets in time that does not depend on where they differ (nor on their lengths: both are hashed first). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest()
  return timingSafeEqual(digest(given), digest(expected))
}

/** `{ payloads: [{ metadata: { key: base64 }, data: base64 }] }`, Temporal's JSON of payloads, or null. */
function payloadsOf(body: unknown): Payload[] | null {
  if (typeof body !== 'object' || body === null) return null
  // A call with nothing to convert (a query without arguments, from the temporal CLI) sends no list, or null.
  const listed = (body as { payloads?: unknown }).payloads
  if (listed === undefined || listed === null) return []
  if (!Array.isArray(listed)) return null
  const entries: unknown[] = listed
  if (entries.length > MAX_PAYLOADS) return null
  const payloads: Payload[] = []
  for (const entry of entries) {
    if (typeof entry !== 'object' || entry === null) return null
    const { metadata = {}, data = '' } = entry as { metadata?: unknown; data?: unknown }
    if (typeof metadata !== 'object' || metadata === null || typeof data !== 'string') return null
    const decoded: Record<string, Uint8Array> = {}
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string') return null
      decoded[key] = Buffer.from(value, 'base64')
    }
    payloads.push({ metadata: decoded, data: Buffer.from(data, 'base64') })
  }
  return payloads
}

function toJson(payload: Payload): { metadata: Record<string, string>; data: string } {
  const metadata: Record<string, string> = {}
  for (const [key, value] of Object.entries(payload.metadata ?? {})) {
    if (value) metadata[key] = Buffer.from(value).toString('base64')
  }
  return { metadata, data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64') }
}

function signInPage(signedIn: boolean, problem?: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Order engine codec server</title>
<style>body{font:16px system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}input{width:100%;font:inherit}</style></head>
<body><h1>Order engine codec server</h1>
<p>It decodes the order engine's encrypted Temporal payloads for the Temporal Web UI and CLI.</p>
${
  signedIn
    ? `<p><strong>This browser is signed in for ${SESSION_HOURS} hours.</strong> In the Web UI, open the codec server settings and
turn on <em>Include cross-origin credentials</em>; histories then show decoded payloads.</p>`
    : `<form method="post" action="/session"><p><label>Codec server token (CODEC_SERVER_TOKEN; npm start prints it)<br>
<input name="token" type="password" autocomplete="off" required></label></p><p><button>Sign in this browser</button></p></form>`
}
${problem ? `<p role="alert">${problem}</p>` : ''}
</body></html>`
}
