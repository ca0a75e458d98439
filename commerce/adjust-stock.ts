import type { Kysely } from '../db/connection.js'
import { recordCatalogChange } from '../db/catalog-audit.js'
import type { Database } from '../db/schema.js'
import { stockLocationExists } from '../db/stock-locations.js'
import { MAX_ON_HAND, ensureStockLevel, lockStockLevel, setStockOnHand } from '../db/stock-levels.js'
import { DEFAULT_STOCK_LOCATION } from '../domain/fulfilment.js'
import { type Caller, callerName } from './caller.js'
import { ProductNotFound, StockAboveMaximum, StockBelowReserved, StockLocationNotFound } from './commerce-errors.js'
import { underIdempotencyKeyInTransaction } from './idempotency-key.js'
import { requestFingerprint } from './request-fingerprint.js'

export interface StockAdjustmentCommand {
  caller: Caller
  sku: string
  idempotencyKey: string
  /** Units added to the stock on hand (negative removes them), and why. */
  delta: number
  reason: string
  /** Where the units are (see `PUT /v1/stock-locations/{id}`); the default location when omitted. */
  locationId?: string | undefined
}

/** An adjustment as it was applied, and the stock it left. */
export interface StockAdjustmentRecord {
  id: number
  sku: string
  /** Answers stored before locations existed lack it: they were at the default location. */
  locationId: string
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

/** The product's stock row at a location, locked; made (none on hand) when the product and the location exist. */
async function lockStockAt(trx: Kysely<Database>, sku: string, locationId: string) {
  const level = await lockStockLevel(trx, sku, locationId)
  if (level) return level
  const product = await trx.selectFrom('products').select('sku').where('sku', '=', sku).executeTakeFirst()
  if (!product) throw new ProductNotFound(sku)
  if (!(await stockLocationExists(trx, locationId))) throw new StockLocationNotFound(locationId)
  await ensureStockLevel(trx, sku, locationId)
  const made = await lockStockLevel(trx, sku, locationId)
  if (!made) throw new Error(`the stock row of ${sku} at ${locationId} vanished inside its own transaction`)
  return made
}

/**
 * Adds `delta` units to a product's stock on hand at a location (the default
 * one unless `locationId` names another; negative removes them),
 * never below what open orders have reserved, and records it in the audit
 * trail. The stock row is locked for the change, so concurrent adjustments
 * queue and each is checked against the stock the previous one left.
 *
 * The Idempotency-Key's answer is stored in the same transaction as the
 * change: a retry after any failure finds either the change done (and
 * replays it) or nothing done.
 *
 * @throws ProductNotFound, StockLocationNotFound, StockBelowReserved, StockAboveMaximum; each frees the key.
 */
export async function adjustStock(db: Kysely<Database>, command: StockAdjustmentCommand): Promise<AdjustedStock> {
  const { caller, sku, delta, reason } = command
  const locationId = command.locationId ?? DEFAULT_STOCK_LOCATION
  const request = {
    caller,
    key: command.idempotencyKey,
    // Without a location, the fingerprint of the requests made before locations existed.
    fingerprint: requestFingerprint({
      operation: 'stock-adjustment',
      sku,
      delta,
      reason,
      ...(command.locationId === undefined ? {} : { locationId }),
    }),
    orderId: null,
  }
  const outcome = await underIdempotencyKeyInTransaction(db, request, 201, async (trx): Promise<StockAdjustmentRecord> => {
    const level = await lockStockAt(trx, sku, locationId)
    const onHand = level.on_hand + delta
    if (onHand < level.reserved) throw new StockBelowReserved(onHand, level.reserved)
    if (onHand > MAX_ON_HAND) throw new StockAboveMaximum(MAX_ON_HAND)
    await setStockOnHand(trx, sku, onHand, locationId)
    const entry = await recordCatalogChange(trx, {
      sku,
      action: 'stock_adjusted',
      actor: callerName(caller),
      reason,
      idempotencyKey: command.idempotencyKey,
      before: { locationId, onHand: level.on_hand, reserved: level.reserved },
      after: { locationId, onHand, reserved: level.reserved },
    })
    return {
      id: entry.id,
      sku,
      locationId,
      delta,
      reason,
      onHand,
      reserved: level.reserved,
      available: onHand - level.reserved,
      at: entry.at.toISOString(),
    }
  })
  return outcome.replayed
    ? { adjustment: storedAdjustment(outcome.answer), replayed: true }
    : { adjustment: outcome.answer, replayed: false }
}

/** An adjustment answer stored under its key; one stored before locations existed was at the default location. */
function storedAdjustment(stored: Record<string, unknown>): StockAdjustmentRecord {
  return { locationId: DEFAULT_STOCK_LOCATION, ...stored } as StockAdjustmentRecord
}
