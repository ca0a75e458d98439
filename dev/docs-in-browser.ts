/**
 * Opens the API's `/docs` page in a real, headless Chromium (the Debian
 * `chromium` package, driven by playwright-core) and reports what it shows:
 * used by `npm run docs:screenshot` and by the docs test.
 */
import { existsSync } from 'node:fs'
import { chromium } from 'playwright-core'

/** Where Debian's `apt-get install chromium` puts the browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium'

export function chromiumInstalled(): boolean {
  return existsSync(CHROMIUM_PATH)
}

export interface DocsInBrowserOptions {
  /** The API's base URL, `http://127.0.0.1:<port>`. */
  baseUrl: string
  /** Where to save a full-page PNG, if anywhere. */
  screenshotPath?: string
  timeoutMs?: number
}

export interface RenderedDocs {
  title: string
  /** Each operation as the page lists it: `POST /v1/orders`. */
  operations: string[]
  /** Requests the page tried to make to any other origin (refused): none when it works offline. */
  foreignRequests: string[]
  /** Console errors and uncaught page errors, CSP violations included. */
  errors: string[]
}

/**
 * Loads `${baseUrl}/docs`, waits until Swagger UI has listed the operations,
 * and returns them. Requests to any other origin are refused and reported, so
 * a page that needs a CDN fails visibly instead of passing by chance.
 */
export async function openDocsInBrowser(options: DocsInBrowserOptions): Promise<RenderedDocs> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const origin = new URL(options.baseUrl).origin
    const foreignRequests: string[] = []
    const errors: string[] = []
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text())
    })
    page.on('pageerror', (error) => errors.push(error.message))
    await page.route('**/*', async (route) => {
      const url = route.request().url()
      if (new URL(url).origin === origin || url.startsWith('data:')) return route.continue()
      foreignRequests.push(url)
      return route.abort()
    })
    const timeout = options.timeoutMs ?? 30_000
    await page.goto(`${options.baseUrl}/docs`, { waitUntil: 'load', timeout })
    await page.locator('.opblock-summary').first().waitFor({ state: 'visible', timeout })
    const operations = await page
      .locator('.opblock-summary')
      .evaluateAll((blocks) =>
        blocks.map(
          (block) =>
            `${block.querySelector('.opblock-summary-method')?.textContent?.trim() ?? '?'} ${block.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? block.querySelector('.opblock-summary-path')?.textContent?.trim() ?? '?'}`,
        ),
      )
    if (options.screenshotPath) await page.screenshot({ path: options.screenshotPath, fullPage: true })
    return { title: await page.title(), operations, foreignRequests, errors }
  } finally {
    await browser.close()
  }
}
