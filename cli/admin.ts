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
 *   npm run admin -- approve-return|reject-return <orderId> <returnId> [--note "…"]
 *   npm run admin -- receive-return <orderId> <returnId> --line SKU:1:resellable --line SKU2:1:written-off
 *   npm run admin -- settle-cod-refund <orderId> cod-refund-1 --reference "…"
 *
 * The return commands go to the order's after-sales workflow through the
 * same functions as the API (`commerce/after-sales-updates.ts`).
 *
 * Arguments follow the API's rules (see `admin-arguments.ts`); a refused one
 * is named on stderr with the usage, and the exit code is 2.
 */
import { randomUUID } from 'node:crypto'
import { WorkflowUpdateFailedError } from '@temporalio/client'
import { sendAfterSalesUpdate } from '../commerce/after-sales-updates.js'
import { OrderUpdateRefused } from '../commerce/commerce-errors.js'
import { sendCancellation, sendCodConfirmation, sendRefund } from '../commerce/order-updates.js'
import { loadConfig } from '../config.js'
import {
  approveReturnUpdate,
  receiveReturnUpdate,
  rejectReturnUpdate,
  returnActUpdateId,
  settleCodRefundUpdate,
  settleCodRefundUpdateId,
} from '../workflows/after-sales/messages.js'
import { orderIdFromWorkflowId, orderWorkflowId, statusQuery, updateRefusalOf } from '../workflows/messages.js'
import type { Actor, OrderState } from '../domain/order-types.js'
import { connectTemporal } from '../temporal/client.js'
import { readRunningStack, runningStackFile } from '../temporal/running-stack.js'
import { type AdminCommand, parseAdminArguments } from './admin-arguments.js'

// Arguments are checked before anything connects: a refusal says which argument and why, and exits 2.
const parsed = parseAdminArguments(process.argv.slice(2))
if (!parsed.ok) {
  console.error(parsed.message)
  process.exit(2)
}
const command = parsed.command
const config = loadConfig()
const { connection, client } = await connectTemporal({ ...config.temporal, ...temporalToUse() })
const actor: Actor = { type: 'admin', id: command.admin }

try {
  if (isAfterSalesCommand(command)) {
    console.log(JSON.stringify(await runAfterSales(command), null, 2))
  } else if (command.name === 'awaiting-confirmation') {
    for await (const execution of client.workflow.list({ query: `OrderStatus='AWAITING_CONFIRMATION'` })) {
      console.log(orderIdFromWorkflowId(execution.workflowId) ?? execution.workflowId, execution.startTime.toISOString())
    }
  } else {
    print(await run(command))
  }
} catch (error) {
  if (error instanceof OrderUpdateRefused) {
    console.error(`refused: ${error.reason} (${error.detail})`)
  } else if (error instanceof WorkflowUpdateFailedError) {
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

type AfterSalesCommand = Extract<
  AdminCommand,
  { name: 'approve-return' | 'reject-return' | 'receive-return' | 'settle-cod-refund' }
>

function isAfterSalesCommand(candidate: AdminCommand): candidate is AfterSalesCommand {
  return ['approve-return', 'reject-return', 'receive-return', 'settle-cod-refund'].includes(candidate.name)
}

/** Runs one command on the order's after-sales workflow; answers the return, or the after-sales state. */
async function runAfterSales(order: AfterSalesCommand): Promise<unknown> {
  const deps = { temporal: client }
  const subject = order.name === 'settle-cod-refund' ? order.refundId : `return ${order.returnId}`
  console.error(`${order.name} order ${order.orderId}, ${subject}`)
  switch (order.name) {
    case 'approve-return':
    case 'reject-return': {
      const update = order.name === 'approve-return' ? approveReturnUpdate : rejectReturnUpdate
      const act = order.name === 'approve-return' ? 'approve' : 'reject'
      return sendAfterSalesUpdate(deps, order.orderId, update, {
        args: [{ returnId: order.returnId, actor, note: order.note }],
        updateId: returnActUpdateId(act, order.returnId, 'once'),
      })
    }
    case 'receive-return':
      return sendAfterSalesUpdate(deps, order.orderId, receiveReturnUpdate, {
        args: [{ returnId: order.returnId, actor, lines: order.lines, note: order.note }],
        updateId: returnActUpdateId('receive', order.returnId, 'once'),
      })
    case 'settle-cod-refund': {
      const state = await sendAfterSalesUpdate(deps, order.orderId, settleCodRefundUpdate, {
        args: [{ codRefundId: order.refundId, actor, reference: order.reference, note: order.note }],
        updateId: settleCodRefundUpdateId(order.refundId),
      })
      return state.codRefundsOwed.find((owed) => owed.id === order.refundId) ?? state
    }
  }
}

/** Runs one command on the order's workflow. */
async function run(order: Exclude<AdminCommand, { name: 'awaiting-confirmation' } | AfterSalesCommand>): Promise<OrderState> {
  // npm's script banner shows every UUID as *** (it takes them for legacy npm tokens): say which order this is.
  console.error(`${order.name} order ${order.orderId}`)
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

/**
 * TEMPORAL_ADDRESS (and TEMPORAL_NAMESPACE) when set; else the Temporal the last `npm start` wrote to
 * `.data/temporal.json`; else the dev server's port. Said on stderr, so a wrong one is seen, not silent.
 */
function temporalToUse(): { address: string; namespace: string } {
  if (config.temporal.address) {
    console.error(`Temporal ${config.temporal.address}, namespace ${config.temporal.namespace} (TEMPORAL_ADDRESS)`)
    return { address: config.temporal.address, namespace: config.temporal.namespace }
  }
  const running = readRunningStack(config.dataDir)
  if (running) {
    console.error(
      `Temporal ${running.address}, namespace ${running.namespace} (${runningStackFile(config.dataDir)}, from npm start)`,
    )
    return { address: running.address, namespace: running.namespace }
  }
  const address = `127.0.0.1:${config.temporal.devServerPort}`
  console.error(
    `Temporal ${address}, namespace ${config.temporal.namespace} (no TEMPORAL_ADDRESS, no ${runningStackFile(config.dataDir)})`,
  )
  return { address, namespace: config.temporal.namespace }
}
