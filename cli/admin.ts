/**
 * `npm run admin -- <command> <orderId>`: an admin's actions straight through
 * Temporal, with the same updates and query the API uses.
 *
 *   npm run admin -- status <orderId>
 *   npm run admin -- confirm-cod <orderId>
 *   npm run admin -- cancel <orderId> [--reason "…"]
 *   npm run admin -- refund <orderId> --amount 500 --reason goodwill [--note "…"] [--key <id>]
 *   npm run admin -- awaiting-confirmation
 *
 * Arguments follow the API's rules (see `admin-arguments.ts`); a refused one
 * is named on stderr with the usage, and the exit code is 2.
 */
import { randomUUID } from 'node:crypto'
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client'
import { loadConfig } from '../config.js'
import { cancelOrderUpdate, confirmCodUpdate, orderWorkflowId, refundPaymentUpdate, statusQuery } from '../workflows/messages.js'
import type { Actor, OrderState } from '../domain/order-types.js'
import { type AdminCommand, parseAdminArguments } from './admin-arguments.js'

// Arguments are checked before anything connects: a refusal says which argument and why, and exits 2.
const parsed = parseAdminArguments(process.argv.slice(2))
if (!parsed.ok) {
  console.error(parsed.message)
  process.exit(2)
}
const command = parsed.command
const config = loadConfig()
const address = config.temporal.address ?? `127.0.0.1:${config.temporal.devServerPort}`
const connection = await Connection.connect({ address })
const client = new Client({ connection, namespace: config.temporal.namespace })
const actor: Actor = { type: 'admin', id: command.admin }

try {
  if (command.name === 'awaiting-confirmation') {
    for await (const execution of client.workflow.list({ query: `OrderStatus='AWAITING_CONFIRMATION'` })) {
      console.log(execution.workflowId.replace(/^order-/, ''), execution.startTime.toISOString())
    }
  } else {
    print(await run(command))
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

/** Runs one command on the order's workflow. */
async function run(order: Exclude<AdminCommand, { name: 'awaiting-confirmation' }>): Promise<OrderState> {
  const handle = client.workflow.getHandle(orderWorkflowId(order.orderId))
  switch (order.name) {
    case 'status':
      return handle.query(statusQuery)
    case 'confirm-cod':
      return handle.executeUpdate(confirmCodUpdate, { args: [{ actor }] })
    case 'cancel':
      return handle.executeUpdate(cancelOrderUpdate, { args: [{ actor, note: order.reason }] })
    case 'refund': {
      // The update id makes a retry with the same --key refund once.
      const key = order.key ?? randomUUID()
      console.error(`refund key ${key} (repeat with --key ${key} to retry safely)`)
      return handle.executeUpdate(refundPaymentUpdate, {
        args: [{ actor, amount: order.amount, reason: order.reason, note: order.note }],
        updateId: `refund-${actor.id}-${key}`,
      })
    }
  }
}

function print(order: OrderState): void {
  const { timeline, ...rest } = order
  console.log(
    JSON.stringify({ ...rest, timeline: timeline.map((e) => `${e.at} ${e.actor.type} ${e.type}: ${e.message}`) }, null, 2),
  )
}
