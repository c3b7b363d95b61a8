import { Api, installExampleApp, setupStore, startExampleApp } from "./medusa-app"

/**
 * The swap a store makes: a database migrated and used with @medusajs/inventory@1.11.7, then
 * `medusa migrations run` with this module; the server boots and the old rows read back.
 */
describe("in a Medusa 1.20 backend: switching from @medusajs/inventory@1.11.7", () => {
  beforeAll(async () => {
    await installExampleApp()
  }, 600_000)

  it("boots on the official module's database and reads its items, levels and reservations unchanged", async () => {
    const before = await startExampleApp({ INVENTORY_MODULE: "@medusajs/inventory" }, { keepDatabase: true })
    let fixture: Awaited<ReturnType<typeof setupStore>>
    let reservationId: string
    try {
      const admin = new Api(before.url)
      await admin.login()
      fixture = await setupStore(admin, "SWAP-1", 10)
      const { reservation } = await admin.ok("POST", "/admin/reservations", {
        inventory_item_id: fixture.itemId,
        location_id: fixture.locationId,
        quantity: 3,
        description: "made by the official module",
      })
      reservationId = reservation.id
    } finally {
      await before.stop()
    }

    const after = await startExampleApp({}, { database: before.database })
    try {
      expect(after.loadErrors()).toEqual([])
      const admin = new Api(after.url)
      await admin.login()
      const item = await admin.ok("GET", `/admin/inventory-items/${fixture!.itemId}`)
      expect(item.inventory_item).toMatchObject({ id: fixture!.itemId, sku: "SWAP-1" })
      const levels = await admin.ok("GET", `/admin/inventory-items/${fixture!.itemId}/location-levels`)
      expect(levels.inventory_item.location_levels).toEqual([
        expect.objectContaining({ location_id: fixture!.locationId, stocked_quantity: 10, reserved_quantity: 3 }),
      ])
      const { reservation } = await admin.ok("GET", `/admin/reservations/${reservationId!}`)
      expect(reservation).toMatchObject({ quantity: 3, description: "made by the official module" })

      // And it keeps working on them: release the reservation, re-create a deleted level.
      await admin.ok("DELETE", `/admin/reservations/${reservationId!}`)
      await admin.ok("DELETE", `/admin/inventory-items/${fixture!.itemId}/location-levels/${fixture!.locationId}`)
      await admin.ok("POST", `/admin/inventory-items/${fixture!.itemId}/location-levels`, {
        location_id: fixture!.locationId,
        stocked_quantity: 4,
      })
      const again = await admin.ok("GET", `/admin/inventory-items/${fixture!.itemId}/location-levels`)
      expect(again.inventory_item.location_levels).toEqual([
        expect.objectContaining({ stocked_quantity: 4, reserved_quantity: 0 }),
      ])
    } finally {
      await after.stop()
    }
  })
})
