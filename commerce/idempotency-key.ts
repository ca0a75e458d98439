/**
 * Idempotency keys as draft-ietf-httpapi-idempotency-key-header describes them:
 * scoped per caller, one request per key. A retry with the same request gets
 * the stored answer; another request under the key is 422; a retry while the
 * first is still in flight is 409. An in-flight claim is a short lease
 * ({@link IDEMPOTENCY_LEASE_MS}) that the holding process renews while the
 * request runs: a live request keeps its key however slow it is (up to
 * {@link IDEMPOTENCY_MAX_HOLD_MS}), and the key of a process that died is free
 * within seconds; the next retry takes it over (and, for a placement, the
 * same order id).
 * Keys are kept {@link IDEMPOTENCY_KEY_RETENTION_MS} ({@link purgeExpiredIdempotencyKeys}).
 *
 * Use cases run their work with {@link underIdempotencyKey} or
 * {@link underIdempotencyKeyInTransaction}: the protocol is written here once.
 */
import type { Kysely } from '../db/connection.js'
import {
  type IdempotencyKeyId,
  deleteIdempotencyKey,
  deleteIdempotencyKeysOlderThan,
  findIdempotencyKey,
  renewIdempotencyKeyLease,
  storeIdempotencyKeyAnswer,
  takeIdempotencyKey,
  takeIdempotencyKeyWithinLimit,
  unlockIdempotencyKeyRow,
} from '../db/idempotency-keys.js'
import type { Database } from '../db/schema.js'
import { type Caller, callerName } from './caller.js'
import { CommerceError, IdempotencyKeyInFlight, IdempotencyKeyReused, RequestRateLimited } from './commerce-errors.js'

/**
 * How long an in-flight claim lasts unless its process renews it: how long,
 * at most, the key of a request whose process died stays 409 to retries.
 */
export const IDEMPOTENCY_LEASE_MS = 10_000

/**
 * The longest a live request holds its key by renewing: past this (far past
 * REQUEST_TIMEOUT) a stuck request stops renewing and a retry may take over.
 */
export const IDEMPOTENCY_MAX_HOLD_MS = 60_000

/** How long a key and its answer are kept: at least a day, as the draft recommends. */
export const IDEMPOTENCY_KEY_RETENTION_MS = 24 * 3_600_000

export interface ClaimIdempotencyKeyOptions {
  caller: Caller
  key: string
  /** The request's fingerprint ({@link requestFingerprint}): the same request gives the same one. */
  fingerprint: string
  /** The order this key decides (placements), or null. Kept when an abandoned claim is taken over. */
  orderId: string | null
  /** The lease; defaults to {@link IDEMPOTENCY_LEASE_MS}. Renewed every quarter of it while the request holds the key. */
  leaseMs?: number
  /** A rate limit the request is counted against in the claim's own statement (placements); none when absent. */
  budget?: RequestBudget
}

/**
 * A rate limit counted with the key's claim, in one round trip: the request
 * counts once (a replay too), and over the limit nothing is claimed and the
 * claim throws {@link RequestRateLimited}.
 */
export interface RequestBudget {
  /** The count's name: requests that share it share a budget (`place-order`). */
  bucket: string
  /** Who is counted (`role:subject`). */
  caller: string
  /** Requests allowed per window and caller. */
  limit: number
  windowMs: number
  /** Told the count as soon as it is known, over the limit too: the hits in the window (this one included) and when it ends. */
  counted(hit: { hits: number; resetInMs: number }): void
}

/** This request holds the key and must {@link completeIdempotencyKey} or {@link releaseIdempotencyKey} it. */
export interface HeldIdempotencyKey extends IdempotencyKeyId {
  kind: 'held'
  orderId: string | null
  createdAt: Date
}

/** An earlier request with this key was answered; replay its answer. */
export interface AnsweredIdempotencyKey {
  kind: 'answered'
  status: number
  body: Record<string, unknown>
}

export type IdempotencyClaim = HeldIdempotencyKey | AnsweredIdempotencyKey

/**
 * Claims a key for this request, or says how an earlier request with it ended.
 *
 * @throws IdempotencyKeyReused when the key came with another request,
 *   IdempotencyKeyInFlight while the first request holds it.
 */
export async function claimIdempotencyKey(db: Kysely<Database>, options: ClaimIdempotencyKeyOptions): Promise<IdempotencyClaim> {
  const principal = callerName(options.caller)
  const leaseMs = options.leaseMs ?? IDEMPOTENCY_LEASE_MS
  // A key deleted between the insert and the read (its first request failed and released it) is claimed again.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const row = {
      principal,
      key: options.key,
      fingerprint: options.fingerprint,
      orderId: options.orderId,
      leaseSeconds: leaseMs / 1000,
    }
    // The request counts once, with its first try at the key.
    const held =
      attempt === 0 && options.budget ? await takeWithinBudget(db, row, options.budget) : await takeIdempotencyKey(db, row)
    if (held) {
      const claim: HeldIdempotencyKey = {
        kind: 'held',
        principal,
        key: held.key,
        orderId: held.order_id,
        createdAt: held.created_at,
      }
      renewWhileHeld(db, claim, leaseMs)
      return claim
    }

    const existing = await findIdempotencyKey(db, { principal, key: options.key })
    if (!existing) continue
    if (existing.request_hash !== options.fingerprint) throw new IdempotencyKeyReused()
    if (existing.response_body !== null && existing.response_status !== null) {
      return { kind: 'answered', status: existing.response_status, body: existing.response_body }
    }
    throw new IdempotencyKeyInFlight(false)
  }
  throw new IdempotencyKeyInFlight(true)
}

/** Counts the request against its budget and takes the key in one statement; throws over the limit. */
async function takeWithinBudget(
  db: Kysely<Database>,
  row: Parameters<typeof takeIdempotencyKeyWithinLimit>[1],
  budget: RequestBudget,
) {
  const { hits, resetInMs, held } = await takeIdempotencyKeyWithinLimit(db, row, budget)
  budget.counted({ hits, resetInMs })
  if (hits > budget.limit) {
    throw new RequestRateLimited(budget.limit, budget.windowMs, Math.max(1, Math.ceil(resetInMs / 1000)))
  }
  return held ?? undefined
}

/** The renewal timers of the claims this process holds; each ends when its claim is completed, released or unlocked. */
const renewals = new WeakMap<HeldIdempotencyKey, () => void>()

/**
 * Renews the claim's lease every quarter of it, for at most
 * {@link IDEMPOTENCY_MAX_HOLD_MS}, on an unref'd timer. Renewal stops when the
 * claim ends here or the key is no longer in flight (another request
 * answered it). A failed renewal (PostgreSQL briefly away) is tried again at
 * the next tick; if the lease lapses meanwhile a retry may take the key over,
 * which is safe: placements keep their order id, and work under the key is
 * checked again with {@link lockHeldIdempotencyKey}.
 */
function renewWhileHeld(db: Kysely<Database>, held: HeldIdempotencyKey, leaseMs: number): void {
  const startedAt = Date.now()
  const leaseSeconds = leaseMs / 1000
  const timer = setInterval(() => {
    if (Date.now() - startedAt > IDEMPOTENCY_MAX_HOLD_MS) return stop()
    renewIdempotencyKeyLease(db, held, leaseSeconds)
      .then((renewed) => {
        if (!renewed) stop()
      })
      .catch(() => undefined)
    // Every quarter of the lease: three renewals in a row may fail or run late before it lapses.
  }, leaseMs / 4)
  timer.unref()
  const stop = () => {
    clearInterval(timer)
    renewals.delete(held)
  }
  renewals.set(held, stop)
}

/** Ends this process's renewal of a claim (it is being completed, released or unlocked). */
function stopRenewing(held: HeldIdempotencyKey): void {
  renewals.get(held)?.()
}

/**
 * Inside the transaction that does the work: locks the key row and says
 * whether the work is still to do. When another request (one that took over
 * an expired claim) already answered, the caller replays that answer instead,
 * so the work happens once even when a slow request outlives its claim.
 */
export async function lockHeldIdempotencyKey(
  trx: Kysely<Database>,
  held: HeldIdempotencyKey,
): Promise<HeldIdempotencyKey | AnsweredIdempotencyKey> {
  const row = await findIdempotencyKey(trx, held, { forUpdate: true })
  if (row?.response_body != null && row.response_status !== null) {
    return { kind: 'answered', status: row.response_status, body: row.response_body }
  }
  return held
}

/** Stores the answer to replay for the key's retries, and ends its in-flight claim. */
export async function completeIdempotencyKey(
  db: Kysely<Database>,
  held: HeldIdempotencyKey,
  answer: { status: number; body: Record<string, unknown> },
): Promise<void> {
  stopRenewing(held)
  await storeIdempotencyKeyAnswer(db, held, answer)
}

/**
 * How the work's answer is stored under its key, when the work has a last
 * write to make alongside (one statement for both, see `savePlacedOrder`):
 * it must store the answer's `body` under `status` for `held`, as
 * {@link completeIdempotencyKey} does.
 */
export type StoreIdempotentAnswer<T> = (held: HeldIdempotencyKey, result: T) => Promise<void>

/** Frees the key after a refusal, so the caller may fix the request and send it again with the same key. */
export async function releaseIdempotencyKey(db: Kysely<Database>, held: HeldIdempotencyKey): Promise<void> {
  stopRenewing(held)
  await deleteIdempotencyKey(db, held)
}

/**
 * Ends a held key's in-flight claim without an answer, after a failure that
 * may or may not have done the work (a timeout starting a workflow): the next
 * retry takes the key over at once, with the same order id, instead of waiting
 * for the claim to expire.
 */
export async function unlockIdempotencyKey(db: Kysely<Database>, held: HeldIdempotencyKey): Promise<void> {
  stopRenewing(held)
  await unlockIdempotencyKeyRow(db, held)
}

/**
 * Ends a held key after the work under it failed: a refusal (a
 * {@link CommerceError}) changed nothing, so the key is freed for a corrected
 * request; any other failure may or may not have done the work, so the key
 * is unlocked for a retry to take over at once (and find out).
 */
async function endAfterFailure(db: Kysely<Database>, held: HeldIdempotencyKey, error: unknown): Promise<void> {
  await (error instanceof CommerceError ? releaseIdempotencyKey(db, held) : unlockIdempotencyKey(db, held)).catch(() => undefined)
}

/** What came of a request under a key: this request's answer, or the stored answer of an earlier one. */
export type IdempotentOutcome<T> = { replayed: false; answer: T } | { replayed: true; answer: Record<string, unknown> }

/** The request a key is claimed for. */
export type IdempotentRequest = ClaimIdempotencyKeyOptions

/**
 * Runs `work` once per key: claims the key (with its lease), runs the work,
 * stores its answer under `status` for the key's retries; a retry of an
 * answered request gets the stored answer instead. After a failure the key
 * is released (a refusal) or unlocked (anything else), see {@link endAfterFailure}.
 *
 * With `storeAnswer` the work's result is stored by it (with a write of its
 * own, in one statement) instead: the stored body is then whatever it stores.
 *
 * @example
 * ```ts
 * const outcome = await underIdempotencyKey(db, { caller, key, fingerprint, orderId: null }, 200, () => refund())
 * ```
 *
 * @throws IdempotencyKeyReused, IdempotencyKeyInFlight, or whatever `work` throws.
 */
export async function underIdempotencyKey<T extends object>(
  db: Kysely<Database>,
  request: IdempotentRequest,
  status: number,
  work: (held: HeldIdempotencyKey) => Promise<T>,
  options: { storeAnswer?: StoreIdempotentAnswer<T> } = {},
): Promise<IdempotentOutcome<T>> {
  const claim = await claimIdempotencyKey(db, request)
  if (claim.kind === 'answered') return { replayed: true, answer: claim.body }
  try {
    const answer = await work(claim)
    if (options.storeAnswer) {
      stopRenewing(claim)
      await options.storeAnswer(claim, answer)
    } else {
      await completeIdempotencyKey(db, claim, { status, body: answer as Record<string, unknown> })
    }
    return { replayed: false, answer }
  } catch (error) {
    await endAfterFailure(db, claim, error)
    throw error
  }
}

/**
 * Like {@link underIdempotencyKey}, with the work and its answer in one
 * transaction: a retry after any failure finds either the work done (and
 * replays it) or nothing done. The key's row is locked first, so a slow
 * request that outlived its lease replays the answer of the one that took
 * over instead of doing the work again.
 */
export async function underIdempotencyKeyInTransaction<T extends object>(
  db: Kysely<Database>,
  request: IdempotentRequest,
  status: number,
  work: (trx: Kysely<Database>) => Promise<T>,
): Promise<IdempotentOutcome<T>> {
  const claim = await claimIdempotencyKey(db, request)
  if (claim.kind === 'answered') return { replayed: true, answer: claim.body }
  try {
    return await db.transaction().execute(async (trx): Promise<IdempotentOutcome<T>> => {
      const key = await lockHeldIdempotencyKey(trx, claim)
      if (key.kind === 'answered') return { replayed: true, answer: key.body }
      const answer = await work(trx)
      await completeIdempotencyKey(trx, claim, { status, body: answer as Record<string, unknown> })
      return { replayed: false, answer }
    })
  } catch (error) {
    await endAfterFailure(db, claim, error)
    throw error
  }
}

export interface PurgeIdempotencyKeysOptions {
  /** Keys created longer ago than this go. Defaults to {@link IDEMPOTENCY_KEY_RETENTION_MS} (24 h). */
  retentionMs?: number
  /** Rows deleted per statement, so a large backlog never holds long locks. */
  batchSize?: number
}

/**
 * Deletes idempotency keys older than the retention, in batches.
 * Safe to run from every API replica at once.
 *
 * @returns how many keys were deleted
 */
export async function purgeExpiredIdempotencyKeys(
  db: Kysely<Database>,
  options: PurgeIdempotencyKeysOptions = {},
): Promise<number> {
  const retentionSeconds = (options.retentionMs ?? IDEMPOTENCY_KEY_RETENTION_MS) / 1000
  const batchSize = options.batchSize ?? 5_000
  let deleted = 0
  for (;;) {
    const count = await deleteIdempotencyKeysOlderThan(db, { retentionSeconds, batchSize })
    deleted += count
    if (count < batchSize) return deleted
  }
}
