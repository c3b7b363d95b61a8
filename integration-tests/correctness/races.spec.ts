import { Client } from "pg"
import { reservedDrift, setupTestDatabase, TestDatabase } from "../utils/database"

/**
 * Deterministic replays of the races the concurrent property test found (a level created or
 * restored while reservations at its item and location are deleted or moved, an item deleted
 * while a level is created for it). A third connection holds a row lock so that both calls are
 * in flight at once; it is then released and both must leave the invariants intact.
 */
describe("races between level (re)creation and reservation changes", () => {
  let db: TestDatabase
  beforeAll(async () => {
    db = await setupTestDatabase("mit_races", 10)
  })
  afterAll(async () => {
    await db.close()
  })
  afterEach(async () => {
    expect(await reservedDrift(db)).toEqual([])
    await db.truncate()
  })

  async function holdLock(sql: string, params: unknown[]) {
    const client = new Client({ connectionString: db.url })
    await client.connect()
    await client.query("BEGIN")
    await client.query(sql, params)
    return async () => {
      await client.query("COMMIT")
      await client.end()
    }
  }

  /** Waits until `n` sessions of the test database wait on a lock, or `call` has settled. */
  async function blocked(n: number, call?: Promise<unknown>) {
    let settled = false
    void call?.then(
      () => (settled = true),
      () => (settled = true)
    )
    for (let i = 0; i < 500; i++) {
      const [row] = await db.query(
        `SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`
      )
      if (row.waiting >= n || settled) return
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    throw new Error(`fewer than ${n} sessions ever waited`)
  }

  it("an item deleted while a level is created for it leaves no live level on a deleted item", async () => {
    const service = db.service()
    const item = await service.createInventoryItem({ sku: "RACE-A" })
    const release = await holdLock(`SELECT 1 FROM inventory_item WHERE id = $1 FOR NO KEY UPDATE`, [item.id])
    const deleting = service.deleteInventoryItem(item.id)
    await blocked(1).catch(async (error) => {
      await release()
      throw error
    })
    const creating = service
      .createInventoryLevel({ inventory_item_id: item.id, location_id: "loc", stocked_quantity: 5 })
      .then(() => "created", (e) => e.type)
    // The create may wait (on the item) or pass (its key-share lock does not conflict with the
    // holder); either way the delete, still queued, must then see and delete its level.
    await blocked(2, creating).finally(release)
    await deleting
    expect(["created", "not_found"]).toContain(await creating)
    const live = await db.query(`SELECT id FROM inventory_level WHERE deleted_at IS NULL`)
    expect(live).toEqual([])
  })

  it("a level re-created while its reservation is deleted counts it only if the delete releases it", async () => {
    const service = db.service()
    const item = await service.createInventoryItem({ sku: "RACE-B" })
    await service.createInventoryLevel({ inventory_item_id: item.id, location_id: "loc", stocked_quantity: 5 })
    const reservation = await service.createReservationItem({ inventory_item_id: item.id, location_id: "loc", quantity: 2 })
    await service.deleteInventoryLevel(item.id, "loc")
    const release = await holdLock(`SELECT 1 FROM reservation_item WHERE id = $1 FOR UPDATE`, [reservation.id])
    const deleting = service.deleteReservationItem(reservation.id)
    await blocked(1).catch(async (error) => {
      await release()
      throw error
    })
    const creating = service.createInventoryLevel({ inventory_item_id: item.id, location_id: "loc", stocked_quantity: 5 })
    await blocked(2).finally(release)
    await Promise.all([deleting, creating])
    expect(await service.retrieveReservedQuantity(item.id, ["loc"])).toBe(0)
  })

  it("an item restored while its reservation is deleted ends with the right reserved quantity", async () => {
    const service = db.service()
    const item = await service.createInventoryItem({ sku: "RACE-C" })
    await service.createInventoryLevel({ inventory_item_id: item.id, location_id: "loc", stocked_quantity: 5 })
    const reservation = await service.createReservationItem({ inventory_item_id: item.id, location_id: "loc", quantity: 2 })
    await service.deleteInventoryItem(item.id)
    const release = await holdLock(`SELECT 1 FROM reservation_item WHERE id = $1 FOR UPDATE`, [reservation.id])
    const deleting = service.deleteReservationItem(reservation.id)
    await blocked(1).catch(async (error) => {
      await release()
      throw error
    })
    const restoring = service.restoreInventoryItem(item.id)
    await blocked(2).finally(release)
    await Promise.all([deleting, restoring])
    expect(await service.retrieveReservedQuantity(item.id, ["loc"])).toBe(0)
  })

  it("a level re-created while a reservation moves away from it ends with nothing reserved there", async () => {
    const service = db.service()
    const item = await service.createInventoryItem({ sku: "RACE-D" })
    await service.createInventoryLevel({ inventory_item_id: item.id, location_id: "a", stocked_quantity: 5 })
    await service.createInventoryLevel({ inventory_item_id: item.id, location_id: "b", stocked_quantity: 5 })
    const reservation = await service.createReservationItem({ inventory_item_id: item.id, location_id: "a", quantity: 2 })
    await service.deleteInventoryLevel(item.id, "a")
    const release = await holdLock(`SELECT 1 FROM reservation_item WHERE id = $1 FOR UPDATE`, [reservation.id])
    const moving = service.updateReservationItem(reservation.id, { location_id: "b" })
    await blocked(1).catch(async (error) => {
      await release()
      throw error
    })
    const creating = service.createInventoryLevel({ inventory_item_id: item.id, location_id: "a", stocked_quantity: 5 })
    await blocked(2).finally(release)
    await Promise.all([moving, creating])
    expect(await service.retrieveReservedQuantity(item.id, ["a"])).toBe(0)
    expect(await service.retrieveReservedQuantity(item.id, ["b"])).toBe(2)
  })
})
