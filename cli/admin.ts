/**
 * `npm run admin -- <command> <orderId>`: an admin's actions straight through
 * Temporal, with the same updates and query the API uses.
 *
 *   npm run admin -- status <orderId>
 *   npm run admin -- confirm-cod <orderId>
 *   npm run admin -- cancel <orderId> [--reason "…"]
 *   npm run admin -- refund <orderId> --amount 500 --reason goodwill [--note "…"] [--key <id>]
 *   npm run admin -- awaiting-confirmation
 */
import { randomUUID } from 'node:crypto'
import { parseArgs } from 'node:util'
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client'
import { loadConfig } from '../config.js'
import { cancelOrderUpdate, confirmCodUpdate, orderWorkflowId, refundPaymentUpdate, statusQuery } from '../workflows/messages.js'
import { type Actor, type OrderState, type RefundReason, refundReasons } from '../workflows/order-types.js'

const usage = [
  'usage: npm run admin -- status|confirm-cod <orderId>',
  '       npm run admin -- cancel <orderId> [--reason "…"]',
  `       npm run admin -- refund <orderId> --amount <minor units> --reason ${refundReasons.join('|')} [--note "…"] [--key <id>]`,
  '       npm run admin -- awaiting-confirmation',
].join('\n')
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    reason: { type: 'string' },
    amount: { type: 'string' },
    note: { type: 'string' },
    key: { type: 'string' },
    admin: { type: 'string', default: 'admin_cli' },
  },
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
  } else {
    const order = command && orderId ? await run(command, orderId) : null
    if (!order) {
      console.error(usage)
      process.exitCode = 2
    } else {
      print(order)
    }
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

/** Runs one command on the order's workflow; null for an unknown command or wrong options. */
async function run(name: string, id: string): Promise<OrderState | null> {
  const handle = client.workflow.getHandle(orderWorkflowId(id))
  switch (name) {
    case 'status':
      return handle.query(statusQuery)
    case 'confirm-cod':
      return handle.executeUpdate(confirmCodUpdate, { args: [{ actor }] })
    case 'cancel':
      return handle.executeUpdate(cancelOrderUpdate, { args: [{ actor, note: values.reason ?? null }] })
    case 'refund': {
      const amount = Number(values.amount)
      const reason = values.reason as RefundReason
      if (!Number.isSafeInteger(amount) || amount <= 0 || !refundReasons.includes(reason)) return null
      // The update id makes a retry with the same --key refund once.
      const key = values.key ?? randomUUID()
      console.error(`refund key ${key} (repeat with --key ${key} to retry safely)`)
      return handle.executeUpdate(refundPaymentUpdate, {
        args: [{ actor, amount, reason, note: values.note ?? null }],
        updateId: `refund-${actor.id}-${key}`,
      })
    }
    default:
      return null
  }
}

function print(order: OrderState): void {
  const { timeline, ...rest } = order
  console.log(
    JSON.stringify({ ...rest, timeline: timeline.map((e) => `${e.at} ${e.actor.type} ${e.type}: ${e.message}`) }, null, 2),
  )
}
