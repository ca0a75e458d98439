/** Closed-loop load: a fixed number of operations in flight until a count is done. */

export interface LoadResult {
  /** Operations per second over the whole batch. */
  throughput: number
  /** Each operation's latency, in milliseconds. */
  latenciesMs: number[]
  /** Operations that threw (they count in neither figure). */
  failures: number
  firstError: string | null
}

/**
 * Runs `operation(i)` for i = 0 … count − 1 with `inFlight` of them running
 * at once, and times each.
 *
 * @example
 * ```ts
 * const { throughput } = await closedLoop({ count: 100, inFlight: 8 }, (i) => fetch(url))
 * ```
 */
export async function closedLoop(
  options: { count: number; inFlight: number },
  operation: (index: number) => Promise<unknown>,
): Promise<LoadResult> {
  const latenciesMs: number[] = []
  let failures = 0
  let firstError: string | null = null
  let next = 0
  const started = performance.now()
  async function lane(): Promise<void> {
    while (next < options.count) {
      const index = next++
      const begun = performance.now()
      try {
        await operation(index)
        latenciesMs.push(performance.now() - begun)
      } catch (error) {
        failures += 1
        firstError ??= error instanceof Error ? error.message : String(error)
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(options.inFlight, options.count) }, lane))
  const seconds = (performance.now() - started) / 1000
  return { throughput: latenciesMs.length / seconds, latenciesMs, failures, firstError }
}

/** What went wrong in a batch, in words, or null when nothing did. */
export function failuresOf(what: string, result: LoadResult): string | null {
  if (result.failures === 0) return null
  const total = result.failures + result.latenciesMs.length
  return `${what}: ${result.failures} of ${total} failed (they count in no figure); the first: ${result.firstError}`
}

/** Waits `ms` milliseconds. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Polls `probe` every `everyMs` until it returns a value other than null, or throws after `timeoutMs`. */
export async function pollUntil<T>(probe: () => Promise<T | null>, what: string, timeoutMs = 120_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== null) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await pause(everyMs)
  }
}
