/**
 * Placement: `POST /v1/orders` (card and COD) against a raw
 * `client.workflow.start` of the same workflow with the same input, at 1, 8
 * and 32 in flight: throughput and latency percentiles.
 */
import type { Figure } from '../figure.js'
import { closedLoop } from '../load.js'
import { orderInputs, placeThroughApi, rawOrderStart } from '../order-driver.js'
import { alternate, row } from '../report.js'
import { percentile } from '../stats.js'

export const placement: Figure = {
  name: 'placement',
  async run({ stack, rounds, size }) {
    const token = await stack.token('customer', 'cust_bench_placement')
    const rows = []
    for (const method of ['card', 'cod'] as const) {
      for (const inFlight of [1, 8, 32]) {
        const count = inFlight === 1 ? size(10, 3) : size(inFlight * 3, inFlight)
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
            if (result.failures > 0) throw new Error(`${what} (${side}): ${result.failures} failed: ${result.firstError}`)
            throughput[side].push(result.throughput)
            p50[side].push(percentile(result.latenciesMs, 50))
            p95[side].push(percentile(result.latenciesMs, 95))
            p99[side].push(percentile(result.latenciesMs, 99))
          }
          await alternate(
            round,
            async () => record('candidate', await closedLoop({ count, inFlight }, () => placeThroughApi(stack, token, method))),
            async () =>
              record(
                'baseline',
                await closedLoop({ count, inFlight }, (i) =>
                  stack.client.workflow.start('orderWorkflow', rawOrderStart(inputs[i]!, stack.taskQueue)),
                ),
              ),
          )
        }
        rows.push(throughput, p50, p95, p99)
      }
    }
    await stack.settle()
    return rows
  },
}
