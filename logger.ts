/**
 * The process-wide pino logger, and the bridge that sends the Temporal SDK's
 * own log lines through it.
 */
import { createRequire } from 'node:module'
import { DefaultLogger, type LogLevel, Runtime } from '@temporalio/worker'
import { pino, type Logger } from 'pino'

export type { Logger }

/** `auto`: human-readable lines on a terminal, JSON lines elsewhere; `human`: human-readable wherever they go. */
export type LogFormat = 'auto' | 'human'

/**
 * The process's pino logger. On a terminal (stdout a TTY), or with `format: 'human'`, lines go through
 * pino-pretty as a pino transport (a worker thread: the process never formats); anywhere else they stay JSON,
 * one object a line, for a log collector. Without pino-pretty installed (a production image without dev
 * dependencies) lines stay JSON.
 */
export function createLogger(level: string, name = 'order-engine', format: LogFormat = 'auto'): Logger {
  const human = level !== 'silent' && (format === 'human' || process.stdout.isTTY === true) && prettyInstalled()
  return human
    ? pino({
        name,
        level,
        transport: {
          target: 'pino-pretty',
          options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', destination: 1 },
        },
      })
    : pino({ name, level })
}

function prettyInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty')
    return true
  } catch {
    return false
  }
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
