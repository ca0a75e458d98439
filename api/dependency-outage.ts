/**
 * Which failures mean "a service the API needs is down right now", so the
 * app answers them 503 with `Retry-After` instead of a 500. The app's error
 * handler asks {@link dependencyOutageOf} about every error no handler mapped.
 */
import { isGrpcServiceError } from '@temporalio/client'
import pg from 'pg'

/** The gRPC status codes that matter here (grpc-js is the Temporal client's dependency, not ours). */
const grpcStatus = { DEADLINE_EXCEEDED: 4, RESOURCE_EXHAUSTED: 8, FAILED_PRECONDITION: 9, UNAVAILABLE: 14 } as const

/** The services behind the API. */
export const dependencies = ['PostgreSQL', 'Temporal'] as const
export type Dependency = (typeof dependencies)[number]

/** A dependency that is unavailable, and when to try again. */
export interface DependencyOutage {
  dependency: Dependency
  /** Seconds a client should wait before retrying (`Retry-After`). */
  retryAfterSeconds: number
  /** What the client reads in the problem's `detail`; never the underlying message. */
  detail: string
}

/** Node socket errors: the server is not there, or went away mid-request. */
const socketErrorCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
])

/** What pg and pg-pool say when a connection is lost, closed or never came. */
const lostConnectionMessages = [/^Connection terminated/, /^timeout exceeded when trying to connect$/, /is not queryable$/]

/** SQLSTATEs that mean the server cannot serve us now: connection exceptions, shutdown, startup, too many connections. */
function isUnavailableSqlState(code: string): boolean {
  return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300'
}

function postgresOutage(error: Error): DependencyOutage | null {
  const retry = (retryAfterSeconds: number, why: string): DependencyOutage => ({
    dependency: 'PostgreSQL',
    retryAfterSeconds,
    detail: `PostgreSQL is unavailable (${why}); retry in ${retryAfterSeconds} s`,
  })
  const code = (error as { code?: unknown }).code
  if (error instanceof pg.DatabaseError && typeof code === 'string' && isUnavailableSqlState(code)) {
    if (code === '57P03') return retry(2, 'it is starting up')
    if (code === '53300') return retry(2, 'it has no connection to spare')
    return retry(5, 'it is shutting down or the connection failed')
  }
  // Raw socket errors reach us from pg alone: provider SDKs wrap theirs (fetch's TypeError, StripeConnectionError),
  // and Temporal's are gRPC statuses. Axios-based SDKs throw them raw but flag them.
  if (typeof code === 'string' && socketErrorCodes.has(code) && !(error as { isAxiosError?: unknown }).isAxiosError) {
    return retry(5, 'no connection')
  }
  if (lostConnectionMessages.some((pattern) => pattern.test(error.message))) return retry(5, 'the connection was lost')
  return null
}

function temporalOutage(error: Error): DependencyOutage | null {
  if (!isGrpcServiceError(error)) return null
  const retry = (retryAfterSeconds: number, why: string): DependencyOutage => ({
    dependency: 'Temporal',
    retryAfterSeconds,
    detail: `Temporal is unavailable (${why}); retry in ${retryAfterSeconds} s`,
  })
  switch (error.code) {
    case grpcStatus.UNAVAILABLE:
      return retry(5, 'no connection')
    case grpcStatus.DEADLINE_EXCEEDED:
      return retry(5, 'it did not answer in time')
    case grpcStatus.RESOURCE_EXHAUSTED:
      return retry(5, 'it is overloaded')
    case grpcStatus.FAILED_PRECONDITION:
      // Just after a worker crash the order's workflow task may be failing: the server takes no update until it runs again.
      return /workflow task in failed state/i.test(error.details)
        ? {
            dependency: 'Temporal',
            retryAfterSeconds: 10,
            detail:
              "Temporal cannot hand requests to this order's workflow right now (its workflow task is failing, " +
              'as just after a worker crash); retry in 10 s',
          }
        : null
    default:
      return null
  }
}

/**
 * Says which dependency an error shows to be unavailable, or null for any
 * other error. Looks through `cause` chains (the Temporal client wraps gRPC
 * errors in `ServiceError`) and `AggregateError`s (a host name resolving to
 * several addresses, each refused).
 *
 * @example
 * ```ts
 * dependencyOutageOf(new Error('Connection terminated unexpectedly'))
 * // { dependency: 'PostgreSQL', retryAfterSeconds: 5, detail: 'PostgreSQL is unavailable (the connection was lost); retry in 5 s' }
 * ```
 */
export function dependencyOutageOf(error: unknown): DependencyOutage | null {
  const seen = new Set<unknown>()
  const pending: unknown[] = [error]
  while (pending.length > 0) {
    const next = pending.shift()
    if (!(next instanceof Error) || seen.has(next)) continue
    seen.add(next)
    const outage = temporalOutage(next) ?? postgresOutage(next)
    if (outage) return outage
    // A fetch failure (TypeError 'fetch failed') is a provider's, not ours to name: do not look inside it.
    if (next instanceof TypeError) continue
    if (next.cause !== undefined) pending.push(next.cause)
    if (next instanceof AggregateError) pending.push(...(next.errors as unknown[]))
  }
  return null
}
