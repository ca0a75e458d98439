import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, serveApp } from '../api/serve.js'
import { CHROMIUM_PATH, chromiumInstalled, openDocsInBrowser } from '../dev/docs-in-browser.js'
import { type InProcessApp, inProcessApp } from './support/in-process-app.js'

const hasChromium = chromiumInstalled()
const skipped = hasChromium ? '' : ` [skipped: no browser at ${CHROMIUM_PATH}; apt-get install -y chromium to run it]`

describe('GET /docs', () => {
  let api: InProcessApp
  let server: RunningServer
  beforeAll(async () => {
    api = inProcessApp()
    server = await serveApp(api.app, { host: '127.0.0.1', port: 0 })
  })
  afterAll(async () => {
    await server?.close()
    await api?.close()
  })

  it('serves Swagger UI and its assets from this origin, never a CDN', async () => {
    const page = await api.app.request('/docs')
    expect(page.status).toBe(200)
    const html = await page.text()
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1])
    expect(sources.length).toBeGreaterThan(0)
    for (const source of sources) {
      expect(source).toMatch(/^\/docs\/assets\//)
      expect((await api.app.request(source!)).status).toBe(200)
    }
    expect((await api.app.request('/docs/assets/..%2Fpackage.json')).status).toBe(404)
    expect((await api.app.request('/docs/assets/swagger-ui.js.map')).status).toBe(404)
  })

  it.skipIf(!hasChromium)(`renders every operation of /openapi.json in headless Chromium, offline${skipped}`, async () => {
    const document = (await (await api.app.request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, unknown>>
      webhooks?: Record<string, Record<string, unknown>>
    }
    // Paths, and the webhooks the engine sends (OpenAPI 3.1 `webhooks`, shown by event type).
    const documented = [...Object.entries(document.paths), ...Object.entries(document.webhooks ?? {})].flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    )
    const rendered = await openDocsInBrowser({ baseUrl: `http://127.0.0.1:${server.port}` })
    expect(rendered.title).toBe('Order engine API')
    expect(rendered.operations.sort()).toEqual(documented.sort())
    expect(rendered.operations).toContain('POST /v1/orders/{id}/cod-confirmation')
    expect(rendered.foreignRequests).toEqual([])
    expect(rendered.errors).toEqual([])
  })
})
