import { Api, installExampleApp, setupStore, startExampleApp } from "./medusa-app"

/**
 * The swap a store makes: a database migrated and used with @medusajs/inventory@1.11.7, then
 * `medusa migrations run` with this module; the server boots and the old rows read back. And
 * the swap back: the official module on the database this module (and its ledger) wrote.
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

    const after = await startExampleApp({}, { database: before.database, keepDatabase: true })
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
      // What this module wrote there went to its ledger, which the official module never reads.
      const { movements } = await admin.ok("GET", `/admin/inventory-items/${fixture!.itemId}/movements`)
      expect(movements.map((m: any) => m.reason)).toEqual(["level_created", "level_deleted", "release", "opening"])
      const { reservation: held } = await admin.ok("POST", "/admin/reservations", {
        inventory_item_id: fixture!.itemId,
        location_id: fixture!.locationId,
        quantity: 1,
        description: "made by this module",
      })
      reservationId = held.id
    } finally {
      await after.stop()
    }

    // And back: the official module boots on a database with movements and an expires_at
    // column, and reads and writes as before.
    const back = await startExampleApp({ INVENTORY_MODULE: "@medusajs/inventory" }, { database: before.database })
    try {
      expect(back.loadErrors()).toEqual([])
      const admin = new Api(back.url)
      await admin.login()
      const { reservation } = await admin.ok("GET", `/admin/reservations/${reservationId!}`)
      expect(reservation).toMatchObject({ quantity: 1, description: "made by this module" })
      await admin.ok("POST", `/admin/inventory-items/${fixture!.itemId}/location-levels/${fixture!.locationId}`, { stocked_quantity: 9 })
      await admin.ok("DELETE", `/admin/reservations/${reservationId!}`)
      const levels = await admin.ok("GET", `/admin/inventory-items/${fixture!.itemId}/location-levels`)
      expect(levels.inventory_item.location_levels).toEqual([
        expect.objectContaining({ stocked_quantity: 9, reserved_quantity: 0 }),
      ])
      const { reservation: made } = await admin.ok("POST", "/admin/reservations", {
        inventory_item_id: fixture!.itemId,
        location_id: fixture!.locationId,
        quantity: 2,
      })
      expect(made).toMatchObject({ quantity: 2 })
    } finally {
      await back.stop()
    }
  })
})
