import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.js'
import type { OrderLineRequest, ShippingAddress } from '../../domain/order-types.js'
import type { Carrier, Label } from '../../adapters/shipping/carrier.js'

export interface ShippingDeps {
  db: Kysely<Database>
  carrier: Carrier
}

export function createShippingActivities({ db, carrier }: ShippingDeps) {
  return {
    /**
     * Buys the label and records which order its tracking number belongs to,
     * so carrier events can be routed to the order before anything else is saved.
     */
    async createShipment(input: {
      orderId: string
      address: ShippingAddress
      lines: OrderLineRequest[]
      /** The parcel the label is for (an order in several parcels); an order in one parcel names none. */
      parcel?: number | undefined
    }): Promise<Label> {
      const label = await carrier.createLabel(input)
      await db
        .insertInto('shipments')
        .values({
          tracking_number: label.trackingNumber,
          order_id: input.orderId,
          carrier: label.carrier,
          label_id: label.labelId,
          parcel: input.parcel ?? null,
        })
        .onConflict((oc) => oc.column('tracking_number').doNothing())
        .execute()
      return label
    },

    /**
     * Buys the label of a return parcel, from the customer's address back to
     * the shop: the carrier keys it by the return's id, so a retry gets the
     * same label. The returns read model records its tracking number, so the
     * parcel's events reach the order's after-sales workflow.
     */
    async createReturnLabel(input: {
      orderId: string
      returnId: string
      address: ShippingAddress
      lines: OrderLineRequest[]
    }): Promise<Label> {
      return carrier.createLabel({ orderId: input.returnId, address: input.address, lines: input.lines })
    },

    async cancelShipment(input: { orderId: string; trackingNumber: string }): Promise<void> {
      await carrier.cancelLabel(input)
    },
  }
}
