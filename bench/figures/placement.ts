/**
 * Placement: `POST /v1/orders` (card and COD) against a raw
 * `client.workflow.start` of the same workflow with the same input, at 1, 8
 * and 32 in flight: throughput and latency percentiles.
 */
import type { Figure } from '../figure.js'
import { closedLoop, failuresOf } from '../load.js'
import { orderInputs, placeThroughApi, rawOrderStart } from '../order-driver.js'
import { alternate, row } from '../report.js'
import { percentile } from '../stats.js'

export const placement: Figure = {
  name: 'placement',
  async run({ stack, rounds, size, note }) {
    const token = await stack.token('customer', 'cust_bench_placement')
    const rows = []
    for (const method of ['card', 'cod'] as const) {
      for (const inFlight of [1, 8, 32]) {
        // At 1 in flight a placement takes some 30 ms: 24 of them give a p95 worth reading, for under a second.
        const count = { 1: size(24, 2), 8: size(24, 8), 32: size(48, 32) }[inFlight] ?? inFlight
        const what = `POST /v1/orders ${method}, ${inFlight} in flight`
        const baselineName = 'raw client.workflow.start'
        const throughput = row('placement', `${what}: throughput`, {
          baselineName,
          unit: 'orders/s',
          better: 'higher',
          goal: '≥ 0.9×',
        })
        const p50 = row('placement', `${what}: p50`, { baselineName, unit: 'ms', better: 'lower' })
        const p95 = row('placement', `${what}: p95`, { baselineName, unit: 'ms', better: 'lower' })
        const p99 = row('placement', `${what}: p99`, { baselineName, unit: 'ms', better: 'lower', goal: '≤ raw p99 + 10 ms' })
        for (let round = 0; round < rounds; round++) {
          const inputs = await orderInputs(stack, count, method, 'cust_bench_placement_raw')
          const record = (side: 'baseline' | 'candidate', result: Awaited<ReturnType<typeof closedLoop>>) => {
            const failed = failuresOf(`${what} (${side})`, result)
            if (failed) note(failed)
            throughput[side].push(result.throughput)
            p50[side].push(percentile(result.latenciesMs, 50))
            p95[side].push(percentile(result.latenciesMs, 95))
            p99[side].push(percentile(result.latenciesMs, 99))
          }
          // The orders placed before keep the worker busy for a while: each side starts once it has caught up.
          const settled = () => stack.settle(size(60_000, 2_000))
          await alternate(
            round,
            async () => {
              await settled()
              record('candidate', await closedLoop({ count, inFlight }, () => placeThroughApi(stack, token, method)))
            },
            async () => {
              await settled()
              record(
                'baseline',
                await closedLoop({ count, inFlight }, (i) =>
                  stack.client.workflow.start('orderWorkflow', rawOrderStart(inputs[i]!, stack.taskQueue)),
                ),
              )
            },
          )
        }
        rows.push(throughput, p50, p95, p99)
      }
    }
    // What was placed keeps the worker busy for a while: the next figure starts once it has caught up (a quick run,
    // whose figures only prove the bench runs, waits a few seconds at most).
    await stack.settle(size(300_000, 2_000))
    return rows
  },
}
