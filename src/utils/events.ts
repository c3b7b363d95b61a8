
export const InventoryEvents = {
  ITEM_CREATED: "inventory-item.created",
  ITEM_UPDATED: "inventory-item.updated",
  ITEM_DELETED: "inventory-item.deleted",
  ITEM_RESTORED: "inventory-item.restored",
  LEVEL_CREATED: "inventory-level.created",
  LEVEL_UPDATED: "inventory-level.updated",
  LEVEL_DELETED: "inventory-level.deleted",
  LEVEL_RESTORED: "inventory-level.restored",
  RESERVATION_CREATED: "reservation-item.created",
  RESERVATION_UPDATED: "reservation-item.updated",
  RESERVATION_DELETED: "reservation-item.deleted",
  /** A level's available quantity went from at or above its low-stock threshold to below it. */
  LEVEL_LOW_STOCK: "inventory-level.low-stock",
  /** A level's available quantity went from above zero to zero or below. */
  LEVEL_OUT_OF_STOCK: "inventory-level.out-of-stock",
  /** A level's available quantity went from zero or below to above zero. */
  LEVEL_BACK_IN_STOCK: "inventory-level.back-in-stock",
  /** A transfer between locations was made (`{ id }`); immediate ones are received at once. */
  TRANSFER_CREATED: "inventory-transfer.created",
  /** A transfer in transit was received, in full or short (`{ id }`). */
  TRANSFER_RECEIVED: "inventory-transfer.received",
} as const

/** The payload of the three stock alert events. */
export interface StockAlertEvent {
  id: string
  inventory_item_id: string
  location_id: string
  available_quantity: number
  threshold: number | null
}

/**
 * The alert events of a call's crossings (see stock/ledger.ts), in order. One change may
 * cross two lines at once (10 → 0 with a threshold of 5: low-stock and out-of-stock).
 */
export function alertEvents(
  crossings: { id: string; inventory_item_id: string; location_id: string; before: number; after: number; threshold: number | null }[]
): [string, StockAlertEvent][] {
  const events: [string, StockAlertEvent][] = []
  for (const c of crossings) {
    const data = { id: c.id, inventory_item_id: c.inventory_item_id, location_id: c.location_id, available_quantity: c.after, threshold: c.threshold }
    if (c.threshold !== null && c.before >= c.threshold && c.after < c.threshold) events.push([InventoryEvents.LEVEL_LOW_STOCK, data])
    if (c.before > 0 && c.after <= 0) events.push([InventoryEvents.LEVEL_OUT_OF_STOCK, data])
    if (c.before <= 0 && c.after > 0) events.push([InventoryEvents.LEVEL_BACK_IN_STOCK, data])
  }
  return events
}

export interface EventBusLike {
  emit?: (eventName: string, data: unknown, options?: Record<string, unknown>) => Promise<unknown> | unknown
}

interface PendingEvent {
  name: string
  data: unknown
}

/**
 * Collects the events of one public call. They are sent only once the data they describe is
 * committed: right after our own transaction, or after the caller's transaction commits when
 * the caller passed one (and dropped if it rolls back).
 */
export class EventBuffer {
  private readonly events: PendingEvent[] = []

  add(name: string, data: unknown): void {
    this.events.push({ name, data })
  }

  async flush(bus: EventBusLike | undefined): Promise<void> {
    if (!bus?.emit || !this.events.length) return
    for (const event of this.events.splice(0)) {
      try {
        await bus.emit(event.name, event.data)
      } catch (error) {
        // The data is committed by now; failing the call would invite a retry that repeats it.
        process.emitWarning(`medusa-inventory-typeorm: emitting ${event.name} failed: ${String(error)}`)
      }
    }
  }
}
