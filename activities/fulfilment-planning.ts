/**
 * How an order's lines are split over stock locations: the rule behind every
 * fulfilment plan. Pure: the inventory activities feed it the stock they hold
 * locked and write what it answers.
 */
import type { FulfilmentParcel } from '../domain/fulfilment.js'
import type { OrderLineRequest } from '../domain/order-types.js'

/** What one location can give: units not yet reserved, per SKU. */
export interface LocationStock {
  locationId: string
  /** ISO 3166-1 alpha-2. */
  country: string
  available: ReadonlyMap<string, number>
}

export interface StockShortage {
  sku: string
  requested: number
  available: number
}

/** A plan's parcels before they are numbered. */
export type PlannedParcel = Omit<FulfilmentParcel, 'parcel'>

export type PlanOutcome = { parcels: PlannedParcel[]; shortages: [] } | { parcels: []; shortages: StockShortage[] }

/** Units wanted per SKU, in the order the SKUs first appear. */
export function unitsBySku(lines: readonly OrderLineRequest[]): Map<string, number> {
  const wanted = new Map<string, number>()
  for (const line of lines) wanted.set(line.sku, (wanted.get(line.sku) ?? 0) + line.quantity)
  return wanted
}

/**
 * Plans the parcels that ship `wanted` from `locations`:
 * 1. one parcel, when one location has every unit: the one in the shipping
 *    country first, then the one with the most units of the order's SKUs in
 *    stock, then the lowest id;
 * 2. otherwise as few parcels as a greedy set cover finds: again and again the
 *    location that can ship the most of the units still unplanned (ties: the
 *    one that completes the most lines, then the shipping country, then the
 *    lowest id) ships all it can of them. A line may so be split over two
 *    parcels when no location has all its units.
 * Answers the shortages (per SKU, summed over every location) when all the
 * locations together do not have every unit.
 */
export function planFulfilment(
  wanted: ReadonlyMap<string, number>,
  locations: readonly LocationStock[],
  shipToCountry: string | null,
): PlanOutcome {
  const shortages = [...wanted].flatMap(([sku, requested]) => {
    const available = locations.reduce((sum, location) => sum + (location.available.get(sku) ?? 0), 0)
    return requested > available ? [{ sku, requested, available }] : []
  })
  if (shortages.length > 0) return { parcels: [], shortages }
  if (wanted.size === 0) return { parcels: [], shortages: [] }

  const near = (location: LocationStock) => (shipToCountry !== null && location.country === shipToCountry ? 0 : 1)
  const byId = (a: LocationStock, b: LocationStock) => (a.locationId < b.locationId ? -1 : a.locationId > b.locationId ? 1 : 0)

  const complete = locations.filter((location) =>
    [...wanted].every(([sku, quantity]) => (location.available.get(sku) ?? 0) >= quantity),
  )
  if (complete.length > 0) {
    const inStock = (location: LocationStock) =>
      [...wanted.keys()].reduce((sum, sku) => sum + (location.available.get(sku) ?? 0), 0)
    const [best] = [...complete].sort((a, b) => near(a) - near(b) || inStock(b) - inStock(a) || byId(a, b))
    return { parcels: [{ locationId: best!.locationId, lines: linesOf(wanted) }], shortages: [] }
  }

  const remaining = new Map(wanted)
  const left = new Map(locations.map((location) => [location.locationId, new Map(location.available)]))
  const parcels: PlannedParcel[] = []
  while ([...remaining.values()].some((quantity) => quantity > 0)) {
    const scored = locations
      .map((location) => {
        const stock = left.get(location.locationId)!
        let units = 0
        let completes = 0
        for (const [sku, quantity] of remaining) {
          const take = Math.min(quantity, stock.get(sku) ?? 0)
          units += take
          if (quantity > 0 && take === quantity) completes += 1
        }
        return { location, units, completes }
      })
      .filter((candidate) => candidate.units > 0)
      .sort(
        (a, b) =>
          b.units - a.units || b.completes - a.completes || near(a.location) - near(b.location) || byId(a.location, b.location),
      )
    const chosen = scored[0]
    if (!chosen) break // unreachable: the totals cover every unit
    const stock = left.get(chosen.location.locationId)!
    const taken = new Map<string, number>()
    for (const [sku, quantity] of remaining) {
      const take = Math.min(quantity, stock.get(sku) ?? 0)
      if (take === 0) continue
      taken.set(sku, take)
      remaining.set(sku, quantity - take)
      stock.set(sku, (stock.get(sku) ?? 0) - take)
    }
    parcels.push({ locationId: chosen.location.locationId, lines: linesOf(taken) })
  }
  return { parcels, shortages: [] }
}

/** Lines of the SKUs with units, in map order. */
export function linesOf(units: ReadonlyMap<string, number>): OrderLineRequest[] {
  return [...units].filter(([, quantity]) => quantity > 0).map(([sku, quantity]) => ({ sku, quantity }))
}

/** True when two parcels ship the same units from the same location (line order aside). */
export function sameParcelContents(a: PlannedParcel, b: PlannedParcel): boolean {
  if (a.locationId !== b.locationId) return false
  const units = unitsBySku(a.lines)
  const other = unitsBySku(b.lines)
  return units.size === other.size && [...units].every(([sku, quantity]) => other.get(sku) === quantity)
}
