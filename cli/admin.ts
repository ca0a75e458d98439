/**
 * `npm run admin -- <command> <orderId>`: an admin's actions straight through
 * Temporal, sent by the same functions the API's use cases send them with
 * (`commerce/order-updates.ts`: the same updates, update ids and refusal codec).
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
import { WorkflowUpdateFailedError } from '@temporalio/client'
import { sendCancellation, sendCodConfirmation, sendRefund } from '../commerce/order-updates.js'
import { loadConfig } from '../config.js'
import { orderIdFromWorkflowId, orderWorkflowId, statusQuery, updateRefusalOf } from '../workflows/messages.js'
import type { Actor, OrderState } from '../domain/order-types.js'
import { connectTemporal } from '../temporal/client.js'
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
const { connection, client } = await connectTemporal({ ...config.temporal, address })
const actor: Actor = { type: 'admin', id: command.admin }

try {
  if (command.name === 'awaiting-confirmation') {
    for await (const execution of client.workflow.list({ query: `OrderStatus='AWAITING_CONFIRMATION'` })) {
      console.log(orderIdFromWorkflowId(execution.workflowId) ?? execution.workflowId, execution.startTime.toISOString())
    }
  } else {
    print(await run(command))
  }
} catch (error) {
  if (error instanceof WorkflowUpdateFailedError) {
    const refusal = updateRefusalOf(error)
    const detail = refusal?.detail ? ` (${refusal.detail})` : ''
    console.error(`refused: ${refusal?.reason ?? error.cause?.message ?? error.message}${detail}`)
  } else {
    console.error(error instanceof Error ? error.message : error)
  }
  process.exitCode = 1
} finally {
  await connection.close()
}

/** Runs one command on the order's workflow. */
async function run(order: Exclude<AdminCommand, { name: 'awaiting-confirmation' }>): Promise<OrderState> {
  switch (order.name) {
    case 'status':
      return client.workflow.getHandle(orderWorkflowId(order.orderId)).query(statusQuery)
    case 'confirm-cod':
      return sendCodConfirmation(client, order.orderId, { actor, requestKey: null })
    case 'cancel':
      return sendCancellation(client, order.orderId, { actor, note: order.reason, requestKey: null })
    case 'refund': {
      // The key is the update id, as the API's Idempotency-Key is: a retry with the same --key refunds once.
      const key = order.key ?? randomUUID()
      console.error(`refund key ${key} (repeat with --key ${key} to retry safely)`)
      return sendRefund(client, order.orderId, { actor, amount: order.amount, reason: order.reason, note: order.note, key })
    }
  }
}

function print(order: OrderState): void {
  const { timeline, ...rest } = order
  console.log(
    JSON.stringify({ ...rest, timeline: timeline.map((e) => `${e.at} ${e.actor.type} ${e.type}: ${e.message}`) }, null, 2),
  )
}
