import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { Hono } from 'hono'
import type { AppEnv } from '../app-deps.js'

/** Swagger UI's files, served from node_modules: the page never reaches beyond this API (no CDN). */
const swaggerUiDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))
const assets: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
}

/** Starts Swagger UI on the API's own document; a file, because the page's CSP allows no inline script. */
const initScript = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#docs',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    persistAuthorization: false,
  })
})
`

const page = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Order engine API</title>
    <link rel="stylesheet" href="/docs/assets/swagger-ui.css" />
    <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png" />
  </head>
  <body>
    <div id="docs"></div>
    <script src="/docs/assets/swagger-ui-bundle.js"></script>
    <script src="/docs/assets/docs-init.js"></script>
  </body>
</html>
`

/**
 * Scripts and styles from this origin only; Swagger UI sets inline styles,
 * and "Try it out" calls this same origin.
 */
const docsContentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

/** `GET /docs`: an interactive reference of the API (Swagger UI on `/openapi.json`), working offline. */
export function docsRouter() {
  const router = new Hono<AppEnv>()
  const cache = new Map<string, Promise<Uint8Array>>()
  const load = (file: string) => {
    let content = cache.get(file)
    if (!content) {
      content = readFile(join(swaggerUiDir, file)).then((buffer) => new Uint8Array(buffer))
      cache.set(file, content)
    }
    return content
  }

  router.get('/docs', (c) => c.html(page, 200, { 'Content-Security-Policy': docsContentSecurityPolicy }))
  router.get('/docs/assets/docs-init.js', (c) =>
    c.body(initScript, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-cache' }),
  )
  router.get('/docs/assets/:file', async (c) => {
    const file = c.req.param('file')
    const type = Object.hasOwn(assets, file) ? assets[file] : undefined
    if (!type) return c.notFound()
    const body = await load(file)
    return c.body(body as Uint8Array<ArrayBuffer>, 200, { 'Content-Type': type, 'Cache-Control': 'public, max-age=86400' })
  })
  return router
}
