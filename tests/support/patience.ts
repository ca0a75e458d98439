/**
 * How long a test waits for something that happens asynchronously (a workflow
 * reaching a state, a row reaching the read model, a metric moving).
 *
 * Sized for a loaded 2-core machine, not for a quiet one: at load average 10
 * an order that settles in 2 s alone can take 30 s or more. A passing test is
 * never slower for a generous limit; only a failing one waits longer.
 */
export const settleMs = 90_000

/** The `expect.poll` options that go with {@link settleMs}. */
export const settled = { timeout: settleMs, interval: 200 } as const
