/**
 * Admin updates: confirming cash-on-delivery orders through the API
 * (`POST /v1/orders/:id/cod-confirmation`) against the raw SDK's
 * `executeUpdate` of the same update, one at a time.
 */
import type { Figure } from '../figure.js'
import { closedLoop, failuresOf } from '../load.js'
import { orderInReadModel, orderInputs, rawOrderStart } from '../order-driver.js'
import { alternate, row } from '../report.js'
import { percentile } from '../stats.js'
import { confirmCodUpdate, orderWorkflowId } from '../../workflows/messages.js'

export const adminUpdates: Figure = {
  name: 'admin updates',
  async run({ stack, rounds, size, note }) {
    const admin = await stack.token('admin', 'admin_bench')
    // 24 a side: a p95 of 8 was their slowest.
    const count = size(24, 3)
    const baselineName = 'raw executeUpdate'
    const throughput = row('admin updates', 'COD confirmation, 1 in flight: throughput', {
      baselineName,
      unit: 'updates/s',
      better: 'higher',
    })
    const p50 = row('admin updates', 'COD confirmation: p50', { baselineName, unit: 'ms', better: 'lower', goal: '≤ 1.2×' })
    const p95 = row('admin updates', 'COD confirmation: p95', { baselineName, unit: 'ms', better: 'lower', goal: '≤ 1.2×' })
    for (let round = 0; round < rounds; round++) {
      const inputs = await orderInputs(stack, count * 2, 'cod', 'cust_bench_admin')
      for (const input of inputs) await stack.client.workflow.start('orderWorkflow', rawOrderStart(input, stack.taskQueue))
      for (const input of inputs) await orderInReadModel(stack, input.orderId, ['AWAITING_CONFIRMATION'])
      const viaApi = inputs.slice(0, count).map((input) => input.orderId)
      const viaSdk = inputs.slice(count).map((input) => input.orderId)
      const record = (side: 'baseline' | 'candidate', result: Awaited<ReturnType<typeof closedLoop>>) => {
        const failed = failuresOf(`COD confirmation (${side})`, result)
        if (failed) note(failed)
        throughput[side].push(result.throughput)
        p50[side].push(percentile(result.latenciesMs, 50))
        p95[side].push(percentile(result.latenciesMs, 95))
      }
      // Each confirmed order goes on to buy its label: each side starts once the worker has caught up with the other's.
      const settled = () => stack.settle(size(60_000, 2_000))
      await alternate(
        round,
        async () =>
          record(
            'candidate',
            await settled().then(() =>
              closedLoop({ count, inFlight: 1 }, async (i) => {
                const answer = await stack.call('POST', `/v1/orders/${viaApi[i]}/cod-confirmation`, { token: admin })
                if (answer.status !== 200) throw new Error(`cod-confirmation answered ${answer.status}`)
              }),
            ),
          ),
        async () =>
          record(
            'baseline',
            await settled().then(() =>
              closedLoop({ count, inFlight: 1 }, (i) =>
                stack.client.workflow
                  .getHandle(orderWorkflowId(viaSdk[i]!))
                  .executeUpdate(confirmCodUpdate, { args: [{ actor: { type: 'admin', id: 'admin_bench' } }] }),
              ),
            ),
          ),
      )
    }
    await stack.settle()
    return [throughput, p50, p95]
  },
}
