import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from './app-deps.js'
import { ApiProblem } from './problem.js'

export interface RequestTimeoutOptions {
  /** How long a request may take before the caller gets 504; REQUEST_TIMEOUT, 15 s by default. */
  ms: number
}

/**
 * Answers 504 problem+json when the app has not answered within `ms`, so a
 * stalled database or Temporal call never holds a client (or a connection
 * slot) for ever. The handler is not stopped: an order being placed may
 * still be placed, which is why the answer says to retry with the same
 * Idempotency-Key. A streamed answer (SSE) counts as answered once its
 * headers are sent.
 */
export function requestTimeout(options: RequestTimeoutOptions): MiddlewareHandler<AppEnv> {
  return async function limitRequestTime(c, next) {
    let timer: NodeJS.Timeout | undefined
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new ApiProblem(
              'request_timeout',
              `No answer within ${options.ms / 1000} s; it may still complete: retry with the same Idempotency-Key, or read the resource`,
            ),
          ),
        options.ms,
      )
    })
    try {
      await Promise.race([next(), expired])
    } finally {
      clearTimeout(timer)
    }
  }
}
