/**
 * The parcels of an order placed on the `parcels` code, started from the
 * fulfilment plan. An order in several parcels runs one shipment child
 * workflow each (`workflows/shipment/`); an order in a single parcel (placed
 * on the `one-parcel-in-the-order` code) follows it itself, with the same
 * label steps and tracker, so it costs no child, no signal to it and no
 * report back. The fleet buys or starts them, routes each carrier event the
 * API relays to the order to its parcel by tracking number, queues what the
 * parcels report, and gives parcels up (their labels cancelled) when the
 * order is cancelled before hand-over or a customer cancels some of them after.
 */
import { type ChildWorkflowHandle, ParentClosePolicy, condition, startChild, workflowInfo } from '@temporalio/workflow'
import { DEFAULT_STOCK_LOCATION, type FulfilmentParcel, shipmentWorkflowId } from '../../domain/fulfilment.js'
import {
  fulfillmentOfParcels,
  parcelEnded,
  parcelGivenUp,
  parcelHandedOver,
  parcelRank,
  sameLines,
} from '../../domain/order-rules.js'
import type { Actor, CarrierEvent, OrderLineRequest, OrderState, ParcelView, PlaceOrderInput } from '../../domain/order-types.js'
import { type ParcelReport, cancelParcelSignal, parcelCarrierEventSignal } from '../shipment/messages.js'
import { type LabelledParcel, buyLabel, giveUp as giveUpLabel } from '../shipment/parcel-label.js'
import { type CarriedTracker, ParcelTracker } from '../shipment/parcel-tracker.js'
import { shipmentWorkflow } from '../shipment/shipment-workflow.js'
import type { OrderCode } from './order-code.js'
import type { OrderInbox } from './order-inbox.js'
import type { OrderRecord } from './order-record.js'
import { SYSTEM } from './order-record.js'

/** The plan a reservation answered with; a worker from before stock locations answers none: one parcel, every line. */
export function planOrOneParcel(plan: FulfilmentParcel[] | undefined, lines: OrderLineRequest[]): FulfilmentParcel[] {
  if (plan && plan.length > 0) return plan
  return [{ parcel: 1, locationId: DEFAULT_STOCK_LOCATION, lines: lines.map(({ sku, quantity }) => ({ sku, quantity })) }]
}

/** What the fleet needs of the order's run (`OrderRun` has it all). */
interface FleetRun {
  input: PlaceOrderInput
  code: OrderCode
  order: OrderRecord
  inbox: OrderInbox
}

/** A parcel of the plan, before its child has bought its label. */
function plannedView(orderId: string, { parcel, locationId, lines }: FulfilmentParcel): ParcelView {
  const id = shipmentWorkflowId(orderId, parcel)
  return { id, parcel, locationId, lines, carrier: null, trackingNumber: null, status: 'PLANNED', events: [] }
}

/** What a fleet that follows its parcel itself carries into the order's next run (continue-as-new). */
export interface CarriedFleet {
  routed: string[]
  captures: number
  pickupArrived: boolean
  trackers: CarriedTracker[]
}

export class ParcelFleet {
  /** What the parcels reported, in arrival order, not yet applied. */
  readonly reports: ParcelReport[] = []
  /** Carrier events routed to a parcel and not yet answered by its report. */
  inFlight = 0
  /** Set the moment a carrier event saying the carrier has a parcel reaches the order: an edit racing it is refused. */
  pickupArrived = false
  /** Captures made so far (each parcel's hand-over its own, with its own idempotency key). */
  captures = 0
  /** Carrier event ids already routed to a parcel. */
  private readonly routed = new Set<string>()
  private readonly children = new Map<number, ChildWorkflowHandle<typeof shipmentWorkflow>>()
  /** The parcels the order follows itself (a plan of one parcel), by number. */
  private readonly here = new Map<number, ParcelTracker>()
  /** Whether a plan of one parcel is followed in the order (decided when the first plan is shipped). */
  private oneParcelHere = false

  constructor(private readonly state: OrderState) {}

  /** The fleet of an order's earlier run, which followed its one parcel itself. */
  static carriedOver(state: OrderState, carried: CarriedFleet): ParcelFleet {
    const fleet = new ParcelFleet(state)
    fleet.oneParcelHere = true
    for (const id of carried.routed) fleet.routed.add(id)
    fleet.captures = carried.captures
    fleet.pickupArrived = carried.pickupArrived
    for (const tracker of carried.trackers) fleet.here.set(tracker.parcel, ParcelTracker.carriedOver(tracker))
    return fleet
  }

  /** Whether the order can continue as new with this fleet: no parcel has a child, which would be asked to stop. */
  canContinueAsNew(): boolean {
    return this.children.size === 0
  }

  carried(): CarriedFleet {
    const trackers = [...this.here.values()].map((tracker) => tracker.carried())
    return { routed: [...this.routed], captures: this.captures, pickupArrived: this.pickupArrived, trackers }
  }

  /** The parcels, as the order view's `shipments` shows them. */
  get parcels(): ParcelView[] {
    return this.state.shipments ?? []
  }

  /** The parcel a carrier event is about, by its tracking number. */
  parcelOf(trackingNumber: string): ParcelView | undefined {
    return this.parcels.find((parcel) => parcel.trackingNumber === trackingNumber)
  }

  /** Notes a carrier event the moment it reaches the order (in the signal handler): does the carrier now have a parcel? */
  noticeCarrierEvent(event: CarrierEvent): void {
    if (this.parcelOf(event.trackingNumber) && parcelRank(event.status) >= 2) this.pickupArrived = true
  }

  /**
   * Ships the plan: a single parcel's label bought here, or one shipment child workflow per parcel, each buying its
   * label. Either way the label's news is queued as a report.
   */
  async start({ input, code }: FleetRun, plan: FulfilmentParcel[]): Promise<void> {
    this.state.shipments = plan.map((parcel) => plannedView(input.orderId, parcel))
    // Orders in one parcel follow it themselves; older ones keep their child.
    this.oneParcelHere = plan.length === 1 && code.has('one-parcel-in-the-order')
    await this.startParcels(input.orderId, plan, plan.length)
  }

  private async startParcels(orderId: string, parcels: FulfilmentParcel[], planned: number): Promise<void> {
    for (const parcel of parcels) {
      if (this.oneParcelHere && planned === 1) await this.buyLabelHere(orderId, parcel)
      else await this.startChild(orderId, parcel)
    }
  }

  /** How a parcel followed here reports: into the same queue a child's signals fill. */
  private readonly queueReport = async (news: ParcelReport): Promise<void> => void this.reports.push(news)

  private labelled(orderId: string, { parcel, lines }: FulfilmentParcel | ParcelView): LabelledParcel {
    return { orderId, parcel, lines, address: this.state.shippingAddress }
  }

  /** Buys the parcel's label in the order, and follows the parcel here from then on. */
  private async buyLabelHere(orderId: string, parcel: FulfilmentParcel): Promise<void> {
    this.children.delete(parcel.parcel)
    this.here.delete(parcel.parcel)
    const shipment = await buyLabel(this.labelled(orderId, parcel), this.queueReport)
    if (shipment) this.here.set(parcel.parcel, new ParcelTracker(parcel.parcel, shipment))
  }

  private async startChild(orderId: string, { parcel, locationId, lines }: FulfilmentParcel): Promise<void> {
    this.here.delete(parcel)
    const address = this.state.shippingAddress
    const handle = await startChild(shipmentWorkflow, {
      workflowId: shipmentWorkflowId(orderId, parcel),
      args: [{ orderId, orderWorkflowId: workflowInfo().workflowId, parcel, locationId, lines, address }],
      // An order that ends, even terminated, asks its parcels to stop: one the carrier does not have cancels its label.
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      staticSummary: `Parcel ${parcel} of order ${orderId} from ${locationId}`,
    })
    this.children.set(parcel, handle)
  }

  /**
   * After an edit: a parcel the new plan keeps as it is (same location, lines and address) keeps its label; every
   * other one is given up (its label cancelled, its child ended) and the new plan's parcels get children of their own,
   * under the same numbers. Waits for the new labels.
   */
  async replan(run: FleetRun, plan: FulfilmentParcel[], addressChanged: boolean): Promise<void> {
    const unchanged = (view: ParcelView) =>
      !addressChanged &&
      !parcelGivenUp(view) &&
      plan.some((p) => p.parcel === view.parcel && p.locationId === view.locationId && sameLines(p.lines, view.lines))
    const changed = this.parcels.filter((view) => !unchanged(view) && !parcelGivenUp(view))
    await this.giveUp(run, changed)
    for (const view of changed) await this.children.get(view.parcel)?.result()
    const kept = this.parcels.filter(unchanged)
    const fresh = plan.filter((p) => !kept.some((view) => view.parcel === p.parcel))
    this.state.shipments = [...kept, ...fresh.map((p) => plannedView(run.input.orderId, p))].sort((a, b) => a.parcel - b.parcel)
    await this.startParcels(run.input.orderId, fresh, plan.length)
    const carrierNews: ParcelReport[] = []
    while (!this.labelsAnswered()) {
      await condition(() => this.reports.length > 0)
      const report = this.reports.shift()
      if (report?.kind === 'carrier_event') carrierNews.push(report)
      else if (report) this.applyLabelReport(run, report)
    }
    this.reports.unshift(...carrierNews)
    if (this.state.shipment && this.state.shipments[0]?.trackingNumber !== this.state.shipment.trackingNumber) {
      const first = this.state.shipments[0]
      if (first?.carrier && first.trackingNumber) {
        this.state.shipment = { ...this.state.shipment, carrier: first.carrier, trackingNumber: first.trackingNumber }
      }
    }
    this.state.fulfillmentStatus = fulfillmentOfParcels(this.parcels)
  }

  /**
   * Routes the carrier events waiting in the inbox to their parcels' children. An event for no parcel of the order
   * is dropped (as the one-parcel order drops another tracking number's); one for a parcel whose journey is over
   * is noted as late.
   */
  async routeCarrierEvents({ order, inbox }: FleetRun): Promise<void> {
    for (let event = inbox.carrierEvents.shift(); event; event = inbox.carrierEvents.shift()) {
      const parcel = this.parcelOf(event.trackingNumber)
      const tracker = parcel ? this.here.get(parcel.parcel) : undefined
      const child = parcel ? this.children.get(parcel.parcel) : undefined
      if (!parcel || (!child && !tracker)) continue
      // A repeat, or a repeated scan of the status the parcel has, changes nothing: not worth a round trip to the child.
      if (this.routed.has(event.eventId) || (event.status === parcel.status && !parcelEnded(parcel))) continue
      this.routed.add(event.eventId)
      if (tracker && !parcelEnded(parcel) && !tracker.ended()) {
        this.reports.push(tracker.follow(event))
        continue
      }
      if (child && !parcelEnded(parcel)) {
        try {
          await child.signal(parcelCarrierEventSignal, event)
          this.inFlight += 1
          continue
        } catch {
          // The child has ended meanwhile: the event is late.
        }
      }
      if (inbox.seenCarrierEvents.has(event.eventId)) continue
      inbox.seenCarrierEvents.add(event.eventId)
      const message = `${event.status} arrived after parcel ${parcel.parcel} was ${parcel.status.toLowerCase()}; nothing changes`
      const { eventId, status, occurredAt, location } = event
      order.note({ type: 'carrier', id: parcel.carrier }, 'carrier_event', message, {
        eventId,
        status,
        occurredAt,
        location,
        parcel: parcel.parcel,
      })
      await order.save()
    }
  }

  /** Takes the next report, counting a carrier event's answer. */
  nextReport(): ParcelReport | undefined {
    const report = this.reports.shift()
    if (report?.kind === 'carrier_event') this.inFlight = Math.max(this.inFlight - 1, 0)
    return report
  }

  /**
   * Gives parcels up before their hand-over: each child cancels its label (once bought) and says so. Waits for
   * every answer; a parcel the carrier took meanwhile stays on its way. Applies the labels' reports only.
   */
  async giveUp(run: FleetRun, parcels: readonly ParcelView[], by: Actor = SYSTEM): Promise<void> {
    const targets = parcels.filter((parcel) => !parcelEnded(parcel) && !parcelHandedOver(parcel))
    for (const parcel of targets) {
      const tracker = this.here.get(parcel.parcel)
      // A parcel followed here that the carrier has meanwhile (its report queued) stays on its way, as a child's does.
      if (tracker && !tracker.handedOver()) {
        await giveUpLabel(this.labelled(run.input.orderId, parcel), tracker.shipment, this.queueReport)
      } else if (!tracker) await this.children.get(parcel.parcel)?.signal(cancelParcelSignal)
    }
    const settled = () => targets.every((parcel) => parcelGivenUp(parcel) || parcelHandedOver(parcel))
    while (!settled()) {
      await condition(() => this.reports.length > 0)
      const report = this.reports.shift()
      if (report?.kind === 'carrier_event') {
        // An event the carrier sent for this parcel while it was being given up: kept, applied next.
        this.reports.unshift(report)
        break
      }
      if (report) this.applyLabelReport(run, report, by)
    }
    this.state.fulfillmentStatus = fulfillmentOfParcels(this.parcels)
  }

  /** ` (parcel n)` when the order has several parcels: an order in one parcel reads as it always did. */
  which(parcel: ParcelView): string {
    return this.parcels.length > 1 ? ` (parcel ${parcel.parcel})` : ''
  }

  /** Applies a report about a parcel's label: bought, failed, or cancelled. Returns whether it was one. */
  applyLabelReport({ order }: FleetRun, report: ParcelReport, by: Actor = SYSTEM): boolean {
    const parcel = this.parcels.find((view) => view.parcel === report.parcel)
    if (!parcel) return report.kind !== 'carrier_event'
    switch (report.kind) {
      case 'label_created': {
        const { carrier, trackingNumber, labelId } = report.label
        parcel.carrier = carrier
        parcel.trackingNumber = trackingNumber
        parcel.status = 'LABEL_CREATED'
        if (parcel.parcel === 1) this.state.shipment = { carrier, trackingNumber, labelId, progress: 1, lastEventAt: null }
        order.note(SYSTEM, 'label_created', `Shipping label created with ${carrier}${this.which(parcel)}`, {
          carrier,
          trackingNumber,
          parcel: parcel.parcel,
          locationId: parcel.locationId,
        })
        return true
      }
      case 'label_failed':
        order.flagForStaff({ step: report.step ?? 'createShipment', message: report.message, sqlState: null })
        parcel.status = 'CANCELLED'
        return true
      case 'parcel_cancelled':
        parcel.status = parcel.trackingNumber ? 'LABEL_CANCELLED' : 'CANCELLED'
        order.note(by, 'label_cancelled', `Shipping label cancelled${this.which(parcel)}`, {
          trackingNumber: report.trackingNumber,
          parcel: parcel.parcel,
        })
        return true
      case 'carrier_event':
        return false
    }
  }

  /** Whether every parcel has answered its label: bought, or failed. */
  labelsAnswered(): boolean {
    return this.parcels.every((parcel) => parcel.status !== 'PLANNED')
  }
}
