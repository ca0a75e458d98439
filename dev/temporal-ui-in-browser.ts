/**
 * Opens the Temporal Web UI in a real, headless Chromium (the Debian
 * `chromium` package, driven by playwright-core) and reads what support staff
 * see there: the workflow list, an order's page. Used by `npm run
 * ui:screenshots` and by the browser test.
 */
import { type Browser, type Page, chromium } from 'playwright-core'
import { CHROMIUM_PATH } from './docs-in-browser.js'

export interface TemporalUiProps {
  /** The Web UI, `http://localhost:<port>`. */
  uiUrl: string
  namespace: string
  timeoutMs?: number
  /**
   * The codec server the UI decodes payloads through: the browser signs in to it with the token (its session
   * cookie) and the UI's "Include cross-origin credentials" is turned on, as a support person does once.
   */
  codec?: { url: string; token: string }
}

/** One browser on the Temporal Web UI; close it when done. */
export interface TemporalUiBrowser {
  page: Page
  /** Opens the workflow list, filtered by `query` (a visibility query) when given, and waits for its rows. */
  openWorkflowList(query?: string): Promise<void>
  /** Opens an order's workflow page, waits until it shows `expected`, and returns the page's text. */
  openWorkflow(workflowId: string, expected: string): Promise<string>
  /** On the workflow list: shows the order's search attributes as columns, in place of Run ID, Type and End. */
  showOrderColumns(): Promise<void>
  /** On a workflow page: opens the User Metadata tab (summary, details, current details) and waits until it shows `expected`. */
  openUserMetadata(expected: string): Promise<string>
  /** The text of the page as it stands. */
  text(): Promise<string>
  /** Saves a PNG of the page at this size (the UI scrolls inside its own frame, so a full-page shot would be cut). */
  screenshot(path: string, size?: { width: number; height: number }): Promise<void>
  close(): Promise<void>
}

/**
 * Launches headless Chromium on the Web UI at `uiUrl`.
 *
 * @example
 * ```ts
 * const ui = await openTemporalUi({ uiUrl: 'http://localhost:8233', namespace: 'default' })
 * try { await ui.openWorkflow('order-<id>', 'Reserve') } finally { await ui.close() }
 * ```
 */
export async function openTemporalUi(props: TemporalUiProps): Promise<TemporalUiBrowser> {
  const timeout = props.timeoutMs ?? 60_000
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
  })
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } })
  page.setDefaultTimeout(timeout)
  if (props.codec) {
    const signedIn = await page.request.post(`${props.codec.url}/session`, {
      form: { token: props.codec.token },
      maxRedirects: 0,
    })
    if (signedIn.status() >= 400) throw new Error(`the codec server refused the sign-in: ${signedIn.status()}`)
    // The UI keeps these in its origin's localStorage (its Codec Server settings, values as JSON): this browser's
    // own settings over the server's (`overrideRemoteCodecConfiguration`), so that credentials are included.
    const settings = { endpoint: props.codec.url, includeCredentials: true, overrideRemoteCodecConfiguration: true }
    await page.addInitScript(
      `for (const [name, value] of Object.entries(${JSON.stringify(settings)})) window.localStorage.setItem(name, JSON.stringify(value))`,
    )
  }
  const namespaceUrl = `${props.uiUrl}/namespaces/${encodeURIComponent(props.namespace)}`
  return {
    page,
    async openWorkflowList(query) {
      const search = query ? `?query=${encodeURIComponent(query)}` : ''
      await page.goto(`${namespaceUrl}/workflows${search}`, { waitUntil: 'load', timeout })
      await page.getByText('order-', { exact: false }).first().waitFor({ state: 'visible', timeout })
    },
    async openWorkflow(workflowId, expected) {
      await page.goto(`${namespaceUrl}/workflows/${encodeURIComponent(workflowId)}`, { waitUntil: 'load', timeout })
      await page.getByText(expected, { exact: false }).first().waitFor({ state: 'visible', timeout })
      return page.innerText('body')
    },
    async showOrderColumns() {
      await page.getByTestId('workflows-summary-table-configuration-button').click()
      for (const column of ['Run ID', 'Type', 'End'])
        await page.getByRole('button', { name: `Remove ${column} column`, exact: false }).click()
      for (const column of ['OrderStatus', 'CustomerId', 'PaymentMethod', 'OrderTotal'])
        await page.getByRole('button', { name: `Add ${column} column`, exact: false }).click()
      await page.getByTestId('drawer-close-button').click()
      await page.getByRole('columnheader', { name: 'OrderTotal' }).waitFor({ state: 'visible', timeout })
    },
    async openUserMetadata(expected) {
      await page.getByRole('tab', { name: 'User Metadata' }).click()
      const deadline = Date.now() + timeout
      for (;;) {
        const text = await allText(page)
        if (text.includes(expected)) return text
        if (Date.now() > deadline) throw new Error(`User Metadata never showed "${expected}"; it shows:\n${text}`)
        await new Promise((resolve) => setTimeout(resolve, 250))
      }
    },
    text: () => allText(page),
    async screenshot(path, size = { width: 1440, height: 1000 }) {
      await page.setViewportSize(size)
      await new Promise((resolve) => setTimeout(resolve, 500))
      await page.screenshot({ path })
      await page.setViewportSize({ width: 1440, height: 1000 })
    },
    close: () => browser.close(),
  }
}

/** The text of the page and of its frames: the UI renders each markdown summary and details in a frame of its own. */
async function allText(page: Page): Promise<string> {
  const texts = await Promise.all(
    page.frames().map((frame) =>
      frame
        .locator('body')
        .innerText({ timeout: 1_000 })
        .catch(() => ''),
    ),
  )
  return texts.join('\n')
}
