/**
 * The order worker's settings: card orders started raw and carried to
 * DELIVERED with raw carrier signals, on two task queues side by side, one
 * served by an order worker with the SDK's defaults (what `npm start` and
 * `npm run worker` run), the other by one with a setting changed. Rounds
 * alternate between them.
 */
import type { OrderWorkerTuning } from '../../workers/create-order-worker.js'
import { orderWorkflowId } from '../../workflows/messages.js'
import type { BenchStack } from '../bench-stack.js'
import type { Figure } from '../figure.js'
import { closedLoop, failuresOf } from '../load.js'
import { journey, orderInReadModel, orderInputs, parcelOf, rawOrderStart, signalRaw } from '../order-driver.js'
import { type Row, row } from '../report.js'

const tunings: Array<{ name: string; tuning: OrderWorkerTuning }> = [
  { name: 'sticky cache of 10 workflows', tuning: { maxCachedWorkflows: 10 } },
  {
    name: '8 workflow tasks, 16 activities at once',
    tuning: { maxConcurrentWorkflowTaskExecutions: 8, maxConcurrentActivityTaskExecutions: 16 },
  },
  {
    name: '200 workflow tasks, 400 activities at once',
    tuning: { maxConcurrentWorkflowTaskExecutions: 200, maxConcurrentActivityTaskExecutions: 400 },
  },
]

/** Card orders per second from a raw start to DELIVERED in the read model, on `taskQueue`. */
async function ordersToDelivered(stack: BenchStack, taskQueue: string, count: number, inFlight: number) {
  const inputs = await orderInputs(stack, count, 'card', 'cust_bench_tuning')
  return closedLoop({ count, inFlight }, async (i) => {
    const input = inputs[i]!
    await stack.client.workflow.start('orderWorkflow', rawOrderStart(input, taskQueue))
    await signalRaw(stack, orderWorkflowId(input.orderId), await parcelOf(stack, input.orderId), journey)
    await orderInReadModel(stack, input.orderId, ['DELIVERED'])
  })
}

export const workerTuning: Figure = {
  name: 'worker tuning',
  experiment: true,
  async run({ stack, rounds, quick, size, note }) {
    const count = size(12, 4)
    const inFlight = size(8, 4)
    const rows: Row[] = []
    // A quick run tries one setting only: it proves the figure runs.
    for (const { name, tuning } of tunings.slice(0, quick ? 1 : undefined)) {
      const measure = row('worker tuning', `${name}: card orders started → DELIVERED, ${inFlight} in flight`, {
        baselineName: "the SDK's defaults",
        unit: 'orders/s',
        better: 'higher',
      })
      const queues = { baseline: `bench-tuning-default-${rows.length}`, candidate: `bench-tuning-${rows.length}` }
      const workers = {
        baseline: await stack.startWorker('order', queues.baseline),
        candidate: await stack.startWorker('order', queues.candidate, undefined, tuning),
      }
      try {
        // Two rounds at most: the figure says which settings the worker keeps, not how the engine runs.
        for (let round = 0; round < Math.min(rounds, 2); round++) {
          for (const side of round % 2 === 0 ? (['candidate', 'baseline'] as const) : (['baseline', 'candidate'] as const)) {
            const result = await ordersToDelivered(stack, queues[side], count, inFlight)
            const failed = failuresOf(`${name} (${side})`, result)
            if (failed) note(failed)
            measure[side].push(result.throughput)
          }
        }
      } finally {
        await workers.baseline.stop()
        await workers.candidate.stop()
      }
      rows.push(measure)
    }
    return rows
  },
}
