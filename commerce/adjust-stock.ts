import type { Kysely } from '../db/connection.js'
import { recordCatalogChange } from '../db/catalog-audit.js'
import type { Database } from '../db/schema.js'
import { MAX_ON_HAND, lockStockLevel, setStockOnHand } from '../db/stock-levels.js'
import { type Caller, callerName } from './caller.js'
import { ProductNotFound, StockAboveMaximum, StockBelowReserved } from './commerce-errors.js'
import { underIdempotencyKeyInTransaction } from './idempotency-key.js'
import { requestFingerprint } from './request-fingerprint.js'

export interface StockAdjustmentCommand {
  caller: Caller
  sku: string
  idempotencyKey: string
  /** Units added to the stock on hand (negative removes them), and why. */
  delta: number
  reason: string
}

/** An adjustment as it was applied, and the stock it left. */
export interface StockAdjustmentRecord {
  id: number
  sku: string
  delta: number
  reason: string
  onHand: number
  reserved: number
  available: number
  at: string
}

export interface AdjustedStock {
  adjustment: StockAdjustmentRecord
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
 * @throws ProductNotFound, StockBelowReserved, StockAboveMaximum; each frees the key.
 */
export async function adjustStock(db: Kysely<Database>, command: StockAdjustmentCommand): Promise<AdjustedStock> {
  const { caller, sku, delta, reason } = command
  const request = {
    caller,
    key: command.idempotencyKey,
    fingerprint: requestFingerprint({ operation: 'stock-adjustment', sku, delta, reason }),
    orderId: null,
  }
  const outcome = await underIdempotencyKeyInTransaction(db, request, 201, async (trx): Promise<StockAdjustmentRecord> => {
    const level = await lockStockLevel(trx, sku)
    if (!level) throw new ProductNotFound(sku)
    const onHand = level.on_hand + delta
    if (onHand < level.reserved) throw new StockBelowReserved(onHand, level.reserved)
    if (onHand > MAX_ON_HAND) throw new StockAboveMaximum(MAX_ON_HAND)
    await setStockOnHand(trx, sku, onHand)
    const entry = await recordCatalogChange(trx, {
      sku,
      action: 'stock_adjusted',
      actor: callerName(caller),
      reason,
      idempotencyKey: command.idempotencyKey,
      before: { onHand: level.on_hand, reserved: level.reserved },
      after: { onHand, reserved: level.reserved },
    })
    return {
      id: entry.id,
      sku,
      delta,
      reason,
      onHand,
      reserved: level.reserved,
      available: onHand - level.reserved,
      at: entry.at.toISOString(),
    }
  })
  return outcome.replayed
    ? { adjustment: outcome.answer as unknown as StockAdjustmentRecord, replayed: true }
    : { adjustment: outcome.answer, replayed: false }
}
