import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { CHROMIUM_PATH, chromiumInstalled } from '../dev/docs-in-browser.js'
import { openTemporalUi } from '../dev/temporal-ui-in-browser.js'
import { orderWorkflowId } from '../workflows/messages.js'
import { createProducts, startOrder, waitForOrder } from './support/fixtures.js'
import { settleMs } from './support/patience.js'
import { connectServices, type TestServices } from './support/services.js'

const uiUrl = inject('temporalUiUrl')
const hasChromium = chromiumInstalled()
const skipped = !hasChromium
  ? ` [skipped: no browser at ${CHROMIUM_PATH}; apt-get install -y chromium to run it]`
  : !uiUrl
    ? ' [skipped: TEMPORAL_ADDRESS names a Temporal of its own, whose Web UI this run does not know]'
    : ''

let services: TestServices
beforeAll(async () => {
  services = await connectServices()
  await services.startWorker()
})
afterAll(() => services?.close())

describe('an order in the Temporal Web UI, in headless Chromium', () => {
  it.skipIf(skipped !== '')(
    `shows the order's summary, its activities in the order's terms, and its status${skipped}`,
    async () => {
      const [sku] = await createProducts(services.db, [{ onHand: 5, unitPrice: 1_200 }])
      const { orderId, handle } = await startOrder(services, {
        lines: [{ sku: sku!, quantity: 2 }],
        payment: { method: 'card', token: 'tok_visa' },
        customerId: 'cust_ui',
      })
      const order = await waitForOrder(handle, (state) => state.fulfillmentStatus === 'LABEL_CREATED')
      expect(order.status).toBe('CONFIRMED')

      const ui = await openTemporalUi({ uiUrl, namespace: 'default', timeoutMs: settleMs, codec: inject('codecServer') })
      try {
        // Summaries are sealed like every payload: the UI shows them only through the codec server.
        const timeline = await ui.openWorkflow(orderWorkflowId(orderId), 'Authorize USD 29.99 with the sandbox')
        console.log(`timeline of ${orderWorkflowId(orderId)}:\n  ${summariesIn(timeline).join('\n  ')}`)
        expect(timeline).toContain('authorizePayment • Authorize USD 29.99 with the sandbox')
        expect(timeline).toMatch(/Card authorization lapses \d+ \w{3} \d\d:\d\d UTC unless picked up/)
        expect(timeline).toContain('RUNNING')

        const summary = `2 × ${sku} · USD 29.99 · card (sandbox) · customer cust_ui`
        const metadata = await ui.openUserMetadata(summary)
        console.log(`user metadata:\n${metadata.slice(metadata.indexOf('Summary'))}`)
        expect(metadata).toContain(summary)
        expect(metadata).toContain(`Order ${orderId}`)
        expect(metadata).toContain('total USD 29.99')
        expect(metadata).toContain('CONFIRMED · payment AUTHORIZED · fulfillment LABEL_CREATED')
        expect(metadata).toContain(`Parcel: ${order.shipment?.carrier} ${order.shipment?.trackingNumber}`)

        // An order in one parcel buys its label itself: its own timeline shows it, in the order's terms.
        expect(timeline).toContain(`createShipment • Buy a shipping label for 2 × ${sku} to`)
      } finally {
        await ui.close()
      }
    },
    settleMs * 2,
  )
})

/** The timeline rows that carry a summary (`activityType • summary`, or a timer's summary). */
function summariesIn(pageText: string): string[] {
  return pageText.split('\n').filter((line) => line.includes(' • ') || /closes|lapses|Wait for/.test(line))
}
