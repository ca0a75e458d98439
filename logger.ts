/**
 * The process-wide pino logger, and the bridge that sends the Temporal SDK's
 * own log lines through it.
 */
import { DefaultLogger, type LogLevel, Runtime } from '@temporalio/worker'
import { pino, type Logger } from 'pino'
import { sdkMetricsTelemetry } from './temporal/sdk-metrics.js'
import { activeTraceFields } from './tracing.js'

export type { Logger }

/**
 * A pino logger whose every line inside a trace carries `traceId`, `spanId` and the API's `requestId` (from the
 * trace's baggage: in the worker too, for what an order's activities log).
 */
export function createLogger(level: string, name = 'order-engine', destination?: pino.DestinationStream): Logger {
  return pino({ name, level, mixin: traceFieldsOf }, destination)
}

function traceFieldsOf(_line: object, _level: number, logger: Logger): object {
  const fields = activeTraceFields()
  // A request's own logger already has its requestId bound (api/request-context.ts).
  if (fields.requestId && 'requestId' in logger.bindings()) delete fields.requestId
  return fields
}

const temporalLevels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
}

let installed = false

/**
 * Routes the Temporal SDK's logs (worker, workflow `log`, activity context
 * logger) into pino at WARN and above. Call once, before the first worker.
 * By default SIGINT/SIGTERM drain every worker; a process that orders its own
 * shutdown turns that off with `drainWorkersOnSignals: false`.
 */
export function installTemporalLogging(
  logger: Logger,
  options: {
    level?: LogLevel
    drainWorkersOnSignals?: boolean
    /** Where the SDK core serves its Prometheus metrics (`TEMPORAL_METRICS_ADDRESS`); none when absent. */
    metricsAddress?: string | null
  } = {},
): void {
  if (installed) return
  installed = true
  const level = options.level ?? 'WARN'
  const temporal = logger.child({ component: 'temporal-sdk' })
  Runtime.install({
    ...(options.drainWorkersOnSignals === false ? { shutdownSignals: [] } : {}),
    ...(options.metricsAddress ? { telemetryOptions: sdkMetricsTelemetry(options.metricsAddress) } : {}),
    logger: new DefaultLogger(level, (entry) => {
      temporal[temporalLevels[entry.level]]({ ...entry.meta }, entry.message)
    }),
  })
}
