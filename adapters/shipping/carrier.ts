import type { OrderLineRequest, ShippingAddress } from '../../domain/order-types.js'

/** What every carrier integration does. Both calls are idempotent per order and parcel. */
export interface Carrier {
  readonly name: string
  /**
   * Buys a label; calling it again for the same order (and parcel: 1 when omitted, for orders in one parcel) returns
   * the same label.
   */
  createLabel(request: {
    orderId: string
    address: ShippingAddress
    lines: OrderLineRequest[]
    parcel?: number | undefined
  }): Promise<Label>
  /** Voids the label so the parcel is never collected. Cancelling twice is harmless. */
  cancelLabel(request: { orderId: string; trackingNumber: string }): Promise<void>
}

export interface Label {
  carrier: string
  trackingNumber: string
  labelId: string
}
