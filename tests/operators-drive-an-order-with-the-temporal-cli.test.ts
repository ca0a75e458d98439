import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { projectRoot } from '../config.js'
import { findTemporalCli } from '../dev/temporal-cli.js'
import { orderWorkflowId } from '../workflows/messages.js'
import { updateInputExamples } from '../workflows/update-inputs.js'
import { createProducts, startOrder, waitForOrder } from './support/fixtures.js'
import { connectServices, logger, testTemporal, type TestServices } from './support/services.js'

const run = promisify(execFile)
const cli = findTemporalCli({
  configuredPath: process.env['TEMPORAL_CLI_PATH'] ?? null,
  projectRoot,
  pathVariable: process.env['PATH'] ?? null,
  logger,
  install: false,
})
const skipped = cli ? '' : ' [skipped: no temporal CLI on PATH, in TEMPORAL_CLI_PATH or in .tools/; npm install puts one there]'

/**
 * Runs `temporal <args>` against the run's Temporal, as an operator would (payloads decoded through the codec
 * server, as the README shows); never throws.
 */
async function temporal(...args: string[]): Promise<{ code: number; out: string }> {
  const { address, namespace } = testTemporal()
  const codec = inject('codecServer')
  const connection = ['--address', address, '--namespace', namespace, '--codec-endpoint', codec.url]
  try {
    const { stdout, stderr } = await run(cli!.path, [...args, ...connection, '--codec-auth', `Bearer ${codec.token}`], {
      timeout: 60_000,
    })
    return { code: 0, out: stdout + stderr }
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string }
    return { code: failed.code ?? 1, out: `${failed.stdout ?? ''}${failed.stderr ?? ''}` }
  }
}

/** The searches the README's "Support staff and operators" section gives. */
const readmeSearches = [
  "OrderStatus='AWAITING_CONFIRMATION' AND ExecutionStatus='Running'",
  "CustomerId='cust_42'",
  "OrderStatus='CANCELLED' AND PaymentMethod IN ('card','paypal')",
  "OrderStatus='DELIVERED' AND ExecutionStatus='Running'",
  'OrderTotal >= 50000',
  "ExecutionStatus='Failed'",
]

let services: TestServices
beforeAll(async () => {
  services = await connectServices()
  await services.startWorker()
})
afterAll(() => services?.close())

describe('an operator with the temporal CLI', () => {
  it.skipIf(!cli)(
    `is refused a wrong update input in words, confirms with the documented one, and reads the overview${skipped}`,
    async () => {
      const [sku] = await createProducts(services.db, [{ onHand: 3, unitPrice: 2_000 }])
      const { orderId, handle } = await startOrder(services, { lines: [{ sku: sku!, quantity: 1 }], payment: { method: 'cod' } })
      await waitForOrder(handle, (order) => order.status === 'AWAITING_CONFIRMATION')
      const workflowId = orderWorkflowId(orderId)
      const update = (input: string) =>
        temporal(
          'workflow',
          'update',
          'execute',
          '--workflow-id',
          workflowId,
          '--name',
          'confirmCashOnDelivery',
          '--input',
          input,
        )

      const empty = await update('{}')
      console.log(`--input '{}' → exit ${empty.code}: ${empty.out.trim()}`)
      expect(empty.code).not.toBe(0)
      expect(empty.out).toContain('invalid_input: confirmCashOnDelivery: actor: missing')
      expect(empty.out).toContain(`send --input '${updateInputExamples.confirmCashOnDelivery}'`)
      expect(empty.out).not.toContain('Cannot read properties')
      const wrongType = await update('{"actor":{"type":"root","id":"x"}}')
      expect(wrongType.out).toContain('actor.type: must be one of customer, admin, operator, system, carrier')
      const history = await temporal('workflow', 'show', '--workflow-id', workflowId, '--output', 'json')
      expect(history.out).not.toContain('WorkflowExecutionUpdateAccepted')

      const confirmed = await update(updateInputExamples.confirmCashOnDelivery)
      console.log(`--input '${updateInputExamples.confirmCashOnDelivery}' → exit ${confirmed.code}`)
      expect(confirmed.code).toBe(0)
      expect(confirmed.out).toContain('status:CONFIRMED')

      const overview = await temporal('workflow', 'query', '--workflow-id', workflowId, '--type', 'overview', '--output', 'json')
      const status = await temporal('workflow', 'query', '--workflow-id', workflowId, '--type', 'status', '--output', 'json')
      console.log(`overview: ${overview.out.length} bytes, status: ${status.out.length} bytes\n${overview.out}`)
      expect(overview.code).toBe(0)
      expect(overview.out).toContain('"status": "CONFIRMED"')
      expect(overview.out).toContain('"total": "USD 25.99"')
      expect(overview.out.length).toBeLessThan(status.out.length / 2)

      for (const query of readmeSearches) {
        const counted = await temporal('workflow', 'count', '--query', query)
        expect(counted.out, query).toMatch(/^Total: \d+/)
      }
      const mine = await temporal('workflow', 'list', '--query', `CustomerId='cust_test' AND OrderStatus='CONFIRMED'`)
      expect(mine.out).toContain(workflowId)

      const metadata = await temporal('workflow', 'metadata', '--workflow-id', workflowId)
      console.log(metadata.out)
      expect(metadata.out).toContain('confirmCashOnDelivery')
      expect(metadata.out).toContain('An admin confirms a cash-on-delivery order')
      expect(metadata.out).toContain('The order at a glance')
      expect(metadata.out).toContain('CONFIRMED')
    },
    180_000,
  )
})
