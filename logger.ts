/**
 * The process-wide pino logger, and the bridge that sends the Temporal SDK's
 * own log lines through it.
 */
import { createRequire } from 'node:module'
import { DefaultLogger, type LogLevel, Runtime } from '@temporalio/worker'
import { pino, type Logger } from 'pino'
import { sdkMetricsTelemetry } from './temporal/sdk-metrics.js'
import { activeTraceFields } from './tracing.js'

export type { Logger }

/** `auto`: human-readable lines on a terminal, JSON lines elsewhere; `human`: human-readable wherever they go. */
export type LogFormat = 'auto' | 'human'

/**
 * The process's pino logger. Every line inside a trace carries `traceId`, `spanId` and the API's `requestId` (from
 * the trace's baggage: in the worker too, for what an order's activities log). On a terminal (stdout a TTY), or
 * with `format: 'human'`, lines go through pino-pretty as a pino transport (a worker thread: the process never
 * formats); anywhere else they stay JSON, one object a line, for a log collector. Without pino-pretty installed (a
 * production image without dev dependencies) lines stay JSON. A `destination` stream (tests) always gets JSON.
 */
export function createLogger(level: string, name = 'order-engine', output: LogFormat | pino.DestinationStream = 'auto'): Logger {
  const options = { name, level, mixin: traceFieldsOf }
  if (typeof output !== 'string') return pino(options, output)
  const human = level !== 'silent' && (output === 'human' || process.stdout.isTTY === true) && prettyInstalled()
  return human
    ? pino({
        ...options,
        transport: {
          target: 'pino-pretty',
          options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', destination: 1 },
        },
      })
    : pino(options)
}

function prettyInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty')
    return true
  } catch {
    return false
  }
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
