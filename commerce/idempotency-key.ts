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
 * Keys are kept {@link IDEMPOTENCY_KEY_RETENTION_MS} (see `idempotency-key-cleanup.ts`).
 */
import { type Kysely, sql } from 'kysely'
import type { Database } from '../../db/schema.js'
import type { Principal } from '../auth.js'
import { ApiProblem } from '../problem.js'

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
  principal: Principal
  key: string
  /** The request's fingerprint ({@link requestFingerprint}): the same request gives the same one. */
  fingerprint: string
  /** The order this key decides (placements), or null. Kept when an abandoned claim is taken over. */
  orderId: string | null
  /** The lease; defaults to {@link IDEMPOTENCY_LEASE_MS}. Renewed every quarter of it while the request holds the key. */
  leaseMs?: number
}

/** This request holds the key and must {@link completeIdempotencyKey} or {@link releaseIdempotencyKey} it. */
export interface HeldIdempotencyKey {
  kind: 'held'
  principal: string
  key: string
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

function principalName(principal: Principal): string {
  return `${principal.role}:${principal.subject}`
}

/**
 * Claims a key for this request, or says how an earlier request with it ended.
 *
 * @throws ApiProblem `idempotency_key_reused` (422) when the key came with another request,
 *   `idempotency_key_in_flight` (409) while the first request holds it.
 */
export async function claimIdempotencyKey(db: Kysely<Database>, options: ClaimIdempotencyKeyOptions): Promise<IdempotencyClaim> {
  const principal = principalName(options.principal)
  const leaseMs = options.leaseMs ?? IDEMPOTENCY_LEASE_MS
  const lockSeconds = leaseMs / 1000
  // A key deleted between the insert and the read (its first request failed and released it) is claimed again.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const held = await db
      .insertInto('idempotency_keys')
      .values({
        principal,
        key: options.key,
        request_hash: options.fingerprint,
        order_id: options.orderId,
        response_status: null,
        response_body: null,
        locked_until: sql<Date>`now() + make_interval(secs => ${lockSeconds})`,
      })
      .onConflict((oc) =>
        oc
          .columns(['principal', 'key'])
          .doUpdateSet({ locked_until: (eb) => eb.ref('excluded.locked_until') })
          .where('idempotency_keys.response_body', 'is', null)
          .where('idempotency_keys.request_hash', '=', options.fingerprint)
          .where((eb) =>
            eb.or([eb('idempotency_keys.locked_until', 'is', null), eb('idempotency_keys.locked_until', '<', sql<Date>`now()`)]),
          ),
      )
      .returning(['principal', 'key', 'order_id', 'created_at'])
      .executeTakeFirst()
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

    const existing = await db
      .selectFrom('idempotency_keys')
      .select(['request_hash', 'response_status', 'response_body'])
      .where('principal', '=', principal)
      .where('key', '=', options.key)
      .executeTakeFirst()
    if (!existing) continue
    if (existing.request_hash !== options.fingerprint) {
      throw new ApiProblem('idempotency_key_reused', 'This Idempotency-Key was already used with a different request')
    }
    if (existing.response_body !== null && existing.response_status !== null) {
      return { kind: 'answered', status: existing.response_status, body: existing.response_body }
    }
    throw new ApiProblem(
      'idempotency_key_in_flight',
      'The first request with this Idempotency-Key is still being processed; retry in a moment to get its answer',
    )
  }
  throw new ApiProblem('idempotency_key_in_flight', 'This Idempotency-Key is contended; retry in a moment')
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
    db.updateTable('idempotency_keys')
      .set({ locked_until: sql<Date>`now() + make_interval(secs => ${leaseSeconds})` })
      .where('principal', '=', held.principal)
      .where('key', '=', held.key)
      .where('response_body', 'is', null)
      .where('locked_until', 'is not', null)
      .executeTakeFirst()
      .then((result) => {
        if (result.numUpdatedRows === 0n) stop()
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
  const row = await trx
    .selectFrom('idempotency_keys')
    .select(['response_status', 'response_body'])
    .where('principal', '=', held.principal)
    .where('key', '=', held.key)
    .forUpdate()
    .executeTakeFirst()
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
  await db
    .updateTable('idempotency_keys')
    .set({ response_status: answer.status, response_body: JSON.stringify(answer.body), locked_until: null })
    .where('principal', '=', held.principal)
    .where('key', '=', held.key)
    .where('response_body', 'is', null)
    .execute()
}

/** Frees the key after a refusal, so the caller may fix the request and send it again with the same key. */
export async function releaseIdempotencyKey(db: Kysely<Database>, held: HeldIdempotencyKey): Promise<void> {
  stopRenewing(held)
  await db
    .deleteFrom('idempotency_keys')
    .where('principal', '=', held.principal)
    .where('key', '=', held.key)
    .where('response_body', 'is', null)
    .execute()
}

/**
 * Ends a held key's in-flight claim without an answer, after a failure that
 * may or may not have done the work (a timeout starting a workflow): the next
 * retry takes the key over at once, with the same order id, instead of waiting
 * for the claim to expire.
 */
export async function unlockIdempotencyKey(db: Kysely<Database>, held: HeldIdempotencyKey): Promise<void> {
  stopRenewing(held)
  await db
    .updateTable('idempotency_keys')
    .set({ locked_until: null })
    .where('principal', '=', held.principal)
    .where('key', '=', held.key)
    .where('response_body', 'is', null)
    .execute()
}
