/**
 * The process-wide pino logger, and the bridge that sends the Temporal SDK's
 * own log lines through it.
 */
import { DefaultLogger, type LogLevel, Runtime } from '@temporalio/worker'
import { pino, type Logger } from 'pino'

export type { Logger }

export function createLogger(level: string, name = 'order-engine'): Logger {
  return pino({ name, level })
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
  options: { level?: LogLevel; drainWorkersOnSignals?: boolean } = {},
): void {
  if (installed) return
  installed = true
  const level = options.level ?? 'WARN'
  const temporal = logger.child({ component: 'temporal-sdk' })
  Runtime.install({
    ...(options.drainWorkersOnSignals === false ? { shutdownSignals: [] } : {}),
    logger: new DefaultLogger(level, (entry) => {
      temporal[temporalLevels[entry.level]]({ ...entry.meta }, entry.message)
    }),
  })
}
