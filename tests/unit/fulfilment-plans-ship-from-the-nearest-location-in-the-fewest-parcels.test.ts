import { describe, expect, it } from 'vitest'
import { type LocationStock, planFulfilment } from '../../activities/fulfilment-planning.js'

function location(locationId: string, country: string, stock: Record<string, number>): LocationStock {
  return { locationId, country, available: new Map(Object.entries(stock)) }
}

const wanted = (units: Record<string, number>) => new Map(Object.entries(units))

describe('a fulfilment plan', () => {
  it('ships everything from the location in the shipping country when it has every line', () => {
    const locations = [location('berlin', 'DE', { MUG: 50, CAP: 50 }), location('leeds', 'GB', { MUG: 2, CAP: 1 })]
    expect(planFulfilment(wanted({ MUG: 2, CAP: 1 }), locations, 'GB')).toEqual({
      parcels: [
        {
          locationId: 'leeds',
          lines: [
            { sku: 'MUG', quantity: 2 },
            { sku: 'CAP', quantity: 1 },
          ],
        },
      ],
      shortages: [],
    })
  })

  it('otherwise ships from the one with the most of the order’s units in stock, then the lowest id', () => {
    const locations = [location('b', 'DE', { MUG: 5 }), location('a', 'DE', { MUG: 5 }), location('c', 'FR', { MUG: 9 })]
    expect(planFulfilment(wanted({ MUG: 3 }), locations, 'GB').parcels).toEqual([
      { locationId: 'c', lines: [{ sku: 'MUG', quantity: 3 }] },
    ])
    expect(planFulfilment(wanted({ MUG: 3 }), locations.slice(0, 2), 'GB').parcels).toEqual([
      { locationId: 'a', lines: [{ sku: 'MUG', quantity: 3 }] },
    ])
  })

  it('splits over the fewest locations when none has every line, a line split only when no location has all its units', () => {
    const locations = [
      location('a', 'GB', { MUG: 1 }),
      location('b', 'DE', { MUG: 4, CAP: 4 }),
      location('c', 'FR', { HAT: 2, MUG: 1 }),
    ]
    expect(planFulfilment(wanted({ MUG: 4, CAP: 1, HAT: 2 }), locations, 'GB').parcels).toEqual([
      {
        locationId: 'b',
        lines: [
          { sku: 'MUG', quantity: 4 },
          { sku: 'CAP', quantity: 1 },
        ],
      },
      { locationId: 'c', lines: [{ sku: 'HAT', quantity: 2 }] },
    ])
    expect(planFulfilment(wanted({ MUG: 6 }), locations, 'GB').parcels).toEqual([
      { locationId: 'b', lines: [{ sku: 'MUG', quantity: 4 }] },
      { locationId: 'a', lines: [{ sku: 'MUG', quantity: 1 }] },
      { locationId: 'c', lines: [{ sku: 'MUG', quantity: 1 }] },
    ])
  })

  it('names every SKU short, summed over all locations, and plans nothing', () => {
    const locations = [location('a', 'GB', { MUG: 1, CAP: 9 }), location('b', 'DE', { MUG: 1 })]
    expect(planFulfilment(wanted({ MUG: 3, CAP: 1, HAT: 1 }), locations, 'GB')).toEqual({
      parcels: [],
      shortages: [
        { sku: 'MUG', requested: 3, available: 2 },
        { sku: 'HAT', requested: 1, available: 0 },
      ],
    })
  })
})
