import path from "path"
import { EMBEDDED_DIR_NAME } from "../../src/tools/embedded-postgres"
import { setupTestDatabase, TestDatabase } from "../utils/database"

describe("smoke", () => {
  let db: TestDatabase
  beforeAll(async () => {
    db = await setupTestDatabase()
  })
  afterAll(async () => {
    await db.close()
  })

  it("creates an item, a level and a reservation", async () => {
    const service = db.service()
    const item = await service.createInventoryItem({ sku: "A", title: "Shirt" })
    expect(item.id).toMatch(/^iitem_/)
    const level = await service.createInventoryLevel({ inventory_item_id: item.id, location_id: "loc_1", stocked_quantity: 10 })
    expect(level.id).toMatch(/^ilev_/)
    const res = await service.createReservationItem({ inventory_item_id: item.id, location_id: "loc_1", quantity: 3, line_item_id: "li_1" })
    expect(res.id).toMatch(/^resitem_/)
    expect(await service.retrieveAvailableQuantity(item.id, ["loc_1"])).toBe(7)
    const updated = await service.updateReservationItem(res.id, { quantity: 5 })
    expect(updated.quantity).toBe(5)
    expect(await service.retrieveReservedQuantity(item.id, ["loc_1"])).toBe(5)
    await service.deleteReservationItemsByLineItem("li_1")
    expect(await service.retrieveReservedQuantity(item.id, ["loc_1"])).toBe(0)
    const [items, count] = await service.listInventoryItems({ q: "shi", location_id: "loc_1" })
    expect(count).toBe(1)
    expect(items[0].id).toBe(item.id)
    const adjusted = await service.adjustInventory(item.id, "loc_1", -2)
    expect(adjusted.stocked_quantity).toBe(8)
    const levels = await service.updateInventoryLevels([{ inventory_item_id: item.id, location_id: "loc_1", stocked_quantity: 20 }])
    expect(levels[0].stocked_quantity).toBe(20)
    expect(db.eventBus.names()).toContain("reservation-item.created")
  })

  // `.ci/run` runs this suite once more with DATABASE_URL unset, to keep the embedded path honest.
  it("runs on the server the global setup chose: DATABASE_URL's, or the embedded one", async () => {
    const [{ data_directory }] = await db.query<{ data_directory: string }>("SHOW data_directory")
    const embedded = path.resolve(__dirname, "../..", EMBEDDED_DIR_NAME, "data")
    if (process.env.MEDUSA_INVENTORY_TEST_SERVER === "embedded") {
      expect(data_directory).toBe(embedded)
    } else {
      expect(data_directory).not.toBe(embedded)
    }
  })
})
