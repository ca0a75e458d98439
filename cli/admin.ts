/**
 * `npm run admin -- <command> <orderId>`: an admin's actions straight through
 * Temporal, with the same updates and query the API uses.
 *
 *   npm run admin -- status <orderId>
 *   npm run admin -- confirm-cod <orderId>
 *   npm run admin -- cancel <orderId> [--reason "…"]
 *   npm run admin -- awaiting-confirmation
 */
import { parseArgs } from 'node:util'
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client'
import { loadConfig } from '../config.js'
import { cancelOrderUpdate, confirmCodUpdate, orderWorkflowId, statusQuery } from '../workflows/messages.js'
import type { Actor } from '../workflows/order-types.js'

const usage = 'usage: npm run admin -- status|confirm-cod|cancel <orderId> [--reason "…"] | awaiting-confirmation'
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { reason: { type: 'string' }, admin: { type: 'string', default: 'admin_cli' } },
})
const [command, orderId] = positionals
const config = loadConfig()
const address = config.temporal.address ?? `127.0.0.1:${config.temporal.devServerPort}`
const connection = await Connection.connect({ address })
const client = new Client({ connection, namespace: config.temporal.namespace })
const actor: Actor = { type: 'admin', id: values.admin ?? 'admin_cli' }

try {
  if (command === 'awaiting-confirmation') {
    for await (const execution of client.workflow.list({ query: `OrderStatus='AWAITING_CONFIRMATION'` })) {
      console.log(execution.workflowId.replace(/^order-/, ''), execution.startTime.toISOString())
    }
  } else if (!orderId || !['status', 'confirm-cod', 'cancel'].includes(command ?? '')) {
    console.error(usage)
    process.exitCode = 2
  } else {
    const handle = client.workflow.getHandle(orderWorkflowId(orderId))
    const order =
      command === 'status'
        ? await handle.query(statusQuery)
        : command === 'confirm-cod'
          ? await handle.executeUpdate(confirmCodUpdate, { args: [{ actor }] })
          : await handle.executeUpdate(cancelOrderUpdate, { args: [{ actor, note: values.reason ?? null }] })
    const { timeline, ...rest } = order
    console.log(
      JSON.stringify({ ...rest, timeline: timeline.map((e) => `${e.at} ${e.actor.type} ${e.type}: ${e.message}`) }, null, 2),
    )
  }
} catch (error) {
  if (error instanceof WorkflowUpdateFailedError) {
    console.error(`refused: ${error.cause?.message ?? error.message}`)
  } else {
    console.error(error instanceof Error ? error.message : error)
  }
  process.exitCode = 1
} finally {
  await connection.close()
}
