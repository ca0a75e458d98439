/**
 * Worker memory: the resident set a fresh order worker process grows by per
 * parked order (cash on delivery, awaiting its admin) against a fresh
 * baselines' worker per parked minimal workflow (`parkedWorkflow`: one
 * `condition` and nothing else). Each side has a task queue of its own.
 *
 * Each worker first parks a few workflows that are not counted: what a worker
 * pays once, on its first workflows (the workflow context, the database pool
 * and its connections, the activities' code compiled), is not a cost per
 * parked workflow, and at 30 parked it made up most of the growth (2,331 KiB
 * per order against 765 on a quick run, where the growth from 10 to 90 parked
 * was 1,468 against 444).
 */
import { randomUUID } from 'node:crypto'
import type { BenchStack } from '../bench-stack.js'
import type { BenchChild } from '../child-process.js'
import type { Figure } from '../figure.js'
import { pause, pollUntil } from '../load.js'
import { orderInReadModel, orderInputs, rawOrderStart } from '../order-driver.js'
import { alternate, row } from '../report.js'

/**
 * KiB of resident memory each of `count` parked workflows costs, measured on a worker idle before and after, once
 * `warm` of them parked first; `settleMs` of idleness before each reading.
 */
async function rssPerWorkflow(
  worker: BenchChild,
  warm: number,
  count: number,
  settleMs: number,
  park: (count: number) => Promise<void>,
): Promise<number> {
  await park(warm)
  await pause(settleMs)
  const before = await worker.rssKiB()
  await park(count)
  await pause(settleMs)
  return ((await worker.rssKiB()) - before) / count
}

async function parkOrders(stack: BenchStack, taskQueue: string, count: number): Promise<void> {
  const inputs = await orderInputs(stack, count, 'cod', 'cust_bench_memory')
  for (const input of inputs) await stack.client.workflow.start('orderWorkflow', rawOrderStart(input, taskQueue))
  for (const input of inputs) await orderInReadModel(stack, input.orderId, ['AWAITING_CONFIRMATION'])
}

async function parkMinimal(stack: BenchStack, taskQueue: string, count: number): Promise<void> {
  const handles = []
  for (let i = 0; i < count; i++)
    handles.push(await stack.client.workflow.start('parkedWorkflow', { workflowId: `parked-${randomUUID()}`, taskQueue }))
  for (const handle of handles) {
    // Started, its first task scheduled, started and completed: the worker holds it, parked.
    await pollUntil(async () => ((await handle.describe()).historyLength >= 4 ? true : null), `${handle.workflowId} parked`)
  }
}

/**
 * Both workers run with V8's young generation at 1 MiB a semi-space (16 by default): what a parked workflow keeps
 * lives in the old generation, and a young generation that grows by megabytes when it likes made the reading of the
 * minimal workflow swing between 84 and 293 KiB from run to run.
 */
const smallYoungGeneration = ['--max-semi-space-size=1']

export const workerMemory: Figure = {
  name: 'worker memory',
  async run({ stack, rounds, size }) {
    const count = size(150, 40)
    const warm = size(10, 5)
    const settleMs = size(3_000, 1_000)
    const perOrder = row('worker memory', `worker RSS per parked workflow, ${count} parked after ${warm}`, {
      baselineName: 'minimal parked workflow',
      unit: 'KiB',
      better: 'lower',
      goal: '≤ 1.5×',
    })
    // Two rounds at most: each starts two fresh workers and parks every workflow anew. Both workers start together
    // (an idle worker costs the other nothing worth measuring); each is measured while the other is idle.
    for (let round = 0; round < Math.min(rounds, 2); round++) {
      const queues = { orders: `bench-memory-orders-${round}`, parked: `bench-memory-parked-${round}` }
      const [orderWorker, parkedWorker] = await Promise.all([
        stack.startWorker('order', queues.orders, undefined, undefined, smallYoungGeneration),
        stack.startWorker('baseline', queues.parked, undefined, undefined, smallYoungGeneration),
      ])
      try {
        await alternate(
          round,
          async () => {
            perOrder.candidate.push(
              await rssPerWorkflow(orderWorker, warm, count, settleMs, (n) => parkOrders(stack, queues.orders, n)),
            )
          },
          async () => {
            perOrder.baseline.push(
              await rssPerWorkflow(parkedWorker, warm, count, settleMs, (n) => parkMinimal(stack, queues.parked, n)),
            )
          },
        )
      } finally {
        await Promise.all([orderWorker.stop(), parkedWorker.stop()])
      }
    }
    return [perOrder]
  },
}
