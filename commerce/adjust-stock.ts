import { type Kysely, sql } from 'kysely'
import type { Database } from '../../db/schema.js'
import type { Principal } from '../auth.js'
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  lockHeldIdempotencyKey,
  releaseIdempotencyKey,
  unlockIdempotencyKey,
} from '../idempotency/idempotency-keys.js'
import { requestFingerprint } from '../idempotency/request-fingerprint.js'
import { ApiProblem } from '../problem.js'
import type { StockAdjustment, StockAdjustmentBody } from '../schemas.js'
import { recordCatalogChange } from './catalog-audit.js'

/** The largest on-hand count the stock table holds (Postgres integer). */
const MAX_ON_HAND = 2_147_483_647

export interface StockAdjustmentCommand {
  principal: Principal
  sku: string
  idempotencyKey: string
  body: StockAdjustmentBody
}

export interface AdjustedStock {
  adjustment: StockAdjustment
  /** True when this answers a retry of an earlier request with the same key. */
  replayed: boolean
}

/**
 * Adds `delta` units to a product's stock on hand (negative removes them),
 * never below what open orders have reserved, and records it in the audit
 * trail. The stock row is locked for the change, so concurrent adjustments
 * queue and each is checked against the stock the previous one left.
 *
 * The Idempotency-Key's answer is stored in the same transaction as the
 * change: a retry after any failure finds either the change done (and
 * replays it) or nothing done.
 *
 * @throws ApiProblem `product_not_found` (404), `stock_below_reserved` (409); both free the key.
 */
export async function adjustStock(db: Kysely<Database>, command: StockAdjustmentCommand): Promise<AdjustedStock> {
  const { principal, sku, body } = command
  const claim = await claimIdempotencyKey(db, {
    principal,
    key: command.idempotencyKey,
    fingerprint: requestFingerprint({ operation: 'stock-adjustment', sku, delta: body.delta, reason: body.reason }),
    orderId: null,
  })
  if (claim.kind === 'answered') return { adjustment: claim.body as unknown as StockAdjustment, replayed: true }
  try {
    return await db.transaction().execute(async (trx) => {
      const key = await lockHeldIdempotencyKey(trx, claim)
      if (key.kind === 'answered') return { adjustment: key.body as unknown as StockAdjustment, replayed: true }
      const level = await trx
        .selectFrom('stock_levels')
        .select(['on_hand', 'reserved'])
        .where('sku', '=', sku)
        .forUpdate()
        .executeTakeFirst()
      if (!level) throw new ApiProblem('product_not_found', `There is no product ${sku}`)
      const onHand = level.on_hand + body.delta
      if (onHand < level.reserved) {
        const reason =
          level.reserved > 0
            ? `would leave ${onHand} on hand, but ${level.reserved} are reserved by open orders`
            : `would leave ${onHand} on hand`
        throw new ApiProblem('stock_below_reserved', `delta: ${reason}`, { errors: [{ in: 'body', field: 'delta', reason }] })
      }
      if (onHand > MAX_ON_HAND) {
        const reason = `would put more than ${MAX_ON_HAND} on hand`
        throw new ApiProblem('invalid_request', `delta: ${reason}`, { errors: [{ in: 'body', field: 'delta', reason }] })
      }
      await trx
        .updateTable('stock_levels')
        .set({ on_hand: onHand, updated_at: sql`now()` })
        .where('sku', '=', sku)
        .execute()
      const entry = await recordCatalogChange(trx, {
        sku,
        action: 'stock_adjusted',
        actor: principal,
        reason: body.reason,
        idempotencyKey: command.idempotencyKey,
        before: { onHand: level.on_hand, reserved: level.reserved },
        after: { onHand, reserved: level.reserved },
      })
      const adjustment: StockAdjustment = {
        id: entry.id,
        sku,
        delta: body.delta,
        reason: body.reason,
        onHand,
        reserved: level.reserved,
        available: onHand - level.reserved,
        at: entry.at.toISOString(),
      }
      await completeIdempotencyKey(trx, claim, { status: 201, body: adjustment })
      return { adjustment, replayed: false }
    })
  } catch (error) {
    // A refusal changed nothing: the key is freed for a corrected request. Any other failure may have
    // committed (a lost connection at COMMIT): a retry takes the key over and finds out.
    await (error instanceof ApiProblem ? releaseIdempotencyKey(db, claim) : unlockIdempotencyKey(db, claim)).catch(
      () => undefined,
    )
    throw error
  }
}
