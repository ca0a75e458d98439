/**
 * Lifecycle: card orders placed through the API and carried to DELIVERED by
 * the carrier webhook, per second, against the bare workflow that makes only
 * the calls an order needs, driven with raw starts and signals; and both
 * against the ceiling, raw starts of an empty workflow.
 */
import type { Figure } from '../figure.js'
import { closedLoop, failuresOf } from '../load.js'
import { bareOrderToDelivered, engineOrderToDelivered, orderInputs } from '../order-driver.js'
import { alternate, row } from '../report.js'
import { percentile } from '../stats.js'
import { emptyWorkflowStartsPerSecond } from './ceiling.js'

export const lifecycle: Figure = {
  name: 'lifecycle',
  async run({ stack, rounds, size, note }) {
    const tokens = {
      customer: await stack.token('customer', 'cust_bench_lifecycle'),
      admin: await stack.token('admin', 'admin_bench'),
    }
    const count = size(16, 4)
    const inFlight = size(8, 4)
    const what = `card orders placed → DELIVERED, ${inFlight} in flight`
    const vsBare = row('lifecycle', what, {
      baselineName: 'bare workflow, no bookkeeping',
      unit: 'orders/s',
      better: 'higher',
      goal: '≥ 0.9×',
    })
    const vsCeiling = row('lifecycle', what, {
      baselineName: 'empty-workflow starts/s (the ceiling)',
      unit: 'orders/s',
      better: 'higher',
      goal: 'report it',
    })
    const placementP95 = row('lifecycle', 'placement p95 while orders run to DELIVERED', {
      baselineName: 'raw start of the bare workflow',
      unit: 'ms',
      better: 'lower',
      goal: 'POST p95 < 300 ms',
    })
    await stack.settle(size(300_000, 2_000))
    for (let round = 0; round < rounds; round++) {
      const inputs = await orderInputs(stack, count, 'card', 'cust_bench_lifecycle_bare')
      const placements: { candidate: number[]; baseline: number[] } = { candidate: [], baseline: [] }
      await alternate(
        round,
        async () => {
          const result = await closedLoop({ count, inFlight }, async () =>
            placements.candidate.push((await engineOrderToDelivered(stack, tokens, 'card')).placementMs),
          )
          const failed = failuresOf(what, result)
          if (failed) note(failed)
          vsBare.candidate.push(result.throughput)
          vsCeiling.candidate.push(result.throughput)
        },
        async () => {
          const result = await closedLoop({ count, inFlight }, async (i) =>
            placements.baseline.push((await bareOrderToDelivered(stack, inputs[i]!)).placementMs),
          )
          const failed = failuresOf('bare lifecycle', result)
          if (failed) note(failed)
          vsBare.baseline.push(result.throughput)
        },
      )
      vsCeiling.baseline.push(await emptyWorkflowStartsPerSecond(stack, size(160, 32)))
      placementP95.candidate.push(percentile(placements.candidate, 95))
      placementP95.baseline.push(percentile(placements.baseline, 95))
    }
    return [vsBare, vsCeiling, placementP95]
  },
}
