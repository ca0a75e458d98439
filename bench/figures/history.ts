/**
 * History: events and bytes of the workflow history of a card order, a COD
 * order, and a card order that receives 200 carrier events (pickup, repeated
 * in-transit scans, out for delivery, delivered), each run to DELIVERED; the
 * bare workflow on the same path is the baseline.
 */
import proto from '@temporalio/proto'
import type { CarrierEventStatus } from '../../domain/vocabulary.js'
import type { BenchStack } from '../bench-stack.js'
import type { Figure } from '../figure.js'
import { pause } from '../load.js'
import { bareOrderToDelivered, engineOrderToDelivered, journey, orderInputs } from '../order-driver.js'
import { type Row, row } from '../report.js'
import { orderWorkflowId } from '../../workflows/messages.js'

/** The history of a workflow once it has stopped growing: its event count and its size in bytes. */
async function settledHistory(stack: BenchStack, workflowId: string): Promise<{ events: number; bytes: number }> {
  const handle = stack.client.workflow.getHandle(workflowId)
  let length = -1
  for (;;) {
    const now = (await handle.describe()).historyLength
    if (now === length) break
    length = now
    await pause(1_500)
  }
  const history = await handle.fetchHistory()
  return { events: history.events?.length ?? 0, bytes: proto.temporal.api.history.v1.History.encode(history).finish().length }
}

/** A journey with `total` carrier events: pickup, repeated in-transit scans, out for delivery, delivered. */
function longJourney(total: number): CarrierEventStatus[] {
  return ['PICKED_UP', ...Array.from({ length: total - 3 }, () => 'IN_TRANSIT' as const), 'OUT_FOR_DELIVERY', 'DELIVERED']
}

export const history: Figure = {
  name: 'history',
  async run({ stack, size }) {
    const tokens = {
      customer: await stack.token('customer', 'cust_bench_history'),
      admin: await stack.token('admin', 'admin_bench'),
    }
    const carrierEvents = size(200, 20)
    const paths = [
      { name: 'card order', method: 'card', statuses: journey, goal: '≤ 60 events' },
      { name: 'COD order', method: 'cod', statuses: journey, goal: null },
      {
        name: `card order, ${carrierEvents} carrier events`,
        method: 'card',
        statuses: longJourney(carrierEvents),
        goal: '≤ 1,000 events',
      },
    ] as const
    // The paths run side by side, each engine order beside its bare one: a history's length does not depend on speed.
    const measured = await Promise.all(
      paths.map(async (path) => {
        const [input] = await orderInputs(stack, 1, path.method, 'cust_bench_history_bare')
        const [engineHistory, bareHistory] = await Promise.all([
          engineOrderToDelivered(stack, tokens, path.method, path.statuses).then((engine) =>
            settledHistory(stack, orderWorkflowId(engine.orderId)),
          ),
          bareOrderToDelivered(stack, input!, path.statuses).then((bare) => settledHistory(stack, bare.workflowId)),
        ])
        return { path, engineHistory, bareHistory }
      }),
    )
    const rows: Row[] = []
    for (const { path, engineHistory, bareHistory } of measured) {
      const baselineName = 'bare workflow, same path'
      const events = row('history', `${path.name}: events`, {
        baselineName,
        unit: 'events',
        better: 'lower',
        ...(path.goal ? { goal: path.goal } : {}),
      })
      const bytes = row('history', `${path.name}: size`, { baselineName, unit: 'KiB', better: 'lower' })
      events.candidate.push(engineHistory.events)
      events.baseline.push(bareHistory.events)
      bytes.candidate.push(engineHistory.bytes / 1024)
      bytes.baseline.push(bareHistory.bytes / 1024)
      rows.push(events, bytes)
    }
    return rows
  },
}
