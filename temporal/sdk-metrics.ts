/**
 * The Temporal SDK's metrics in Prometheus format. The worker's come from the SDK's core (task latencies,
 * schedule-to-start, sticky cache, pollers, slots, its own RPCs: `temporal_*`), served by the core on
 * `TEMPORAL_METRICS_ADDRESS`; the client side of every process (the API's starts, signals, updates and queries)
 * is counted here, by a client interceptor, as `temporal_client_operations_total` and
 * `temporal_client_operation_duration_seconds`. The API's `GET /metrics` serves both after its own series.
 */
import type { WorkflowClientInterceptor } from '@temporalio/client'
import { Counter, Histogram, Registry } from 'prom-client'

/** The client-side series; one registry per process, whatever number of clients it opens. */
const clientRegistry = new Registry()
const operations = new Counter({
  name: 'temporal_client_operations_total',
  help: 'Calls this process made to Temporal as a client, by operation (start, signal, startUpdate, query…) and outcome',
  labelNames: ['operation', 'outcome'] as const,
  registers: [clientRegistry],
})
const durations = new Histogram({
  name: 'temporal_client_operation_duration_seconds',
  help: 'How long Temporal took to answer this process as a client, by operation',
  labelNames: ['operation'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [clientRegistry],
})

const measuredOperations = [
  'start',
  'startWithDetails',
  'startUpdate',
  'startUpdateWithStart',
  'signal',
  'signalWithStart',
  'query',
  'terminate',
  'cancel',
  'describe',
] as const

/** A client interceptor that counts and times each workflow operation. */
export function clientMetricsInterceptor(): WorkflowClientInterceptor {
  const interceptor: Record<string, unknown> = {}
  for (const operation of measuredOperations) {
    interceptor[operation] = async (input: unknown, next: (input: unknown) => Promise<unknown>) => {
      const stop = durations.startTimer({ operation })
      try {
        const result = await next(input)
        operations.inc({ operation, outcome: 'ok' })
        return result
      } catch (error) {
        operations.inc({ operation, outcome: 'error' })
        throw error
      } finally {
        stop()
      }
    }
  }
  return interceptor as WorkflowClientInterceptor
}

let coreAddress: string | null = null

/**
 * The SDK core's telemetry options serving its metrics at `bindAddress` (`0.0.0.0:9464`): seconds, `_total` on
 * counters and the unit on histograms, as Prometheus names them. Remembers the address for {@link sdkMetricsText}.
 */
export function sdkMetricsTelemetry(bindAddress: string) {
  coreAddress = bindAddress
  return {
    metrics: {
      prometheus: { bindAddress, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true },
    },
  }
}

/**
 * The client-side series and, where this process runs the SDK core with metrics on, the core's: text to serve after
 * the process's own. The core's are read from its endpoint on loopback; if it does not answer they are left out.
 */
export async function sdkMetricsText(): Promise<string> {
  const client = await clientRegistry.metrics()
  if (!coreAddress) return client
  const port = coreAddress.slice(coreAddress.lastIndexOf(':') + 1)
  try {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(2_000) })
    return response.ok ? `${client}\n${await response.text()}` : client
  } catch {
    return client
  }
}
