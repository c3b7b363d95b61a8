
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
} as const

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
