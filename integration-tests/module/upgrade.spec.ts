import { DataSource } from "typeorm"
import { InventoryItem, InventoryLevel, InventoryMovement, ReservationItem, revertMigration, runMigrations } from "../../src"
import InventoryService from "../../src/services/inventory"
import { createDatabase, dropDatabase, uniqueDatabaseName } from "../utils/database"
import { officialDataSource, officialService } from "../utils/official"

/** Columns and indexes of our three tables, as PostgreSQL describes them. */
async function describeSchema(dataSource: DataSource): Promise<{ columns: unknown[]; indexes: unknown[] }> {
  const columns = await dataSource.query(
    `SELECT table_name, column_name, data_type, is_nullable, column_default
       FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name IN ('inventory_item', 'inventory_level', 'reservation_item')
      ORDER BY table_name, column_name`
  )
  const indexes = await dataSource.query(
    `SELECT tablename, indexname, indexdef FROM pg_indexes
      WHERE schemaname = 'public' AND tablename IN ('inventory_item', 'inventory_level', 'reservation_item')
      ORDER BY tablename, indexname`
  )
  return { columns, indexes }
}

async function dumpRows(dataSource: DataSource): Promise<unknown[]> {
  return Promise.all(
    ["inventory_item", "inventory_level", "reservation_item"].map((table) =>
      dataSource.query(`SELECT * FROM ${table} ORDER BY id`)
    )
  )
}

describe("switching from @medusajs/inventory@1.11.7", () => {
  const names: string[] = []
  const sources: DataSource[] = []

  afterAll(async () => {
    await Promise.all(sources.filter((s) => s.isInitialized).map((s) => s.destroy()))
    for (const name of names) await dropDatabase(name)
  })

  async function database(prefix: string): Promise<string> {
    const name = uniqueDatabaseName(prefix)
    names.push(name)
    return createDatabase(name)
  }

  it("migrates a database the official module made, keeps its data and ends with our schema", async () => {
    // A store on the official module, with data written by the official service.
    const url = await database("mit_upgrade")
    const official = await officialDataSource(url)
    sources.push(official)
    await official.runMigrations()
    const old = officialService(official)
    const item = await old.createInventoryItem({ sku: "OLD-1", title: "Old shirt", weight: 200 })
    const gone = await old.createInventoryItem({ sku: "OLD-2" })
    await old.createInventoryLevel({ inventory_item_id: item.id, location_id: "loc_a", stocked_quantity: 10 })
    await old.createInventoryLevel({ inventory_item_id: item.id, location_id: "loc_b", stocked_quantity: 4 })
    const reservation = await old.createReservationItem({
      inventory_item_id: item.id,
      location_id: "loc_a",
      quantity: 2,
      line_item_id: "li_old",
    })
    await old.deleteInventoryItem(gone.id)
    const before = await dumpRows(official)

    // The swap: our migrations on the same database.
    await runMigrations({ options: { database: { url } } })
    await runMigrations({ options: { database: { url } } }) // twice is harmless
    // Nothing changes but the new, empty expires_at column of reservations and the levels' units
    // set aside (none).
    const after = (await dumpRows(official)) as Record<string, unknown>[][]
    expect(after[2].map((r) => r.expires_at)).toEqual([null])
    expect(after[1].map((r) => [r.damaged_quantity, r.quality_control_quantity, r.safety_stock_quantity])).toEqual(after[1].map(() => [0, 0, 0]))
    const added = ["expires_at", "damaged_quantity", "quality_control_quantity", "safety_stock_quantity"]
    expect(after.map((rows) => rows.map((row) => Object.fromEntries(Object.entries(row).filter(([key]) => !added.includes(key)))))).toEqual(before)
    // The ledger opens with each live level's quantities as they were (I6 from here on).
    const opening = await official.query(
      `SELECT location_id, stocked_delta::int, reserved_delta::int, stocked_after, reserved_after, reason
         FROM inventory_movement ORDER BY location_id`
    )
    expect(opening).toEqual([
      { location_id: "loc_a", stocked_delta: 10, reserved_delta: 2, stocked_after: 10, reserved_after: 2, reason: "opening" },
      { location_id: "loc_b", stocked_delta: 4, reserved_delta: 0, stocked_after: 4, reserved_after: 0, reason: "opening" },
    ])

    // Same schema as a database that only ever ran ours.
    const freshUrl = await database("mit_fresh")
    await runMigrations({ options: { database: { url: freshUrl } } })
    const fresh = new DataSource({ type: "postgres", url: freshUrl })
    await fresh.initialize()
    sources.push(fresh)
    expect(await describeSchema(official)).toEqual(await describeSchema(fresh))
    const [levelIndex] = await official.query(
      `SELECT indexdef FROM pg_indexes WHERE indexname = 'UQ_inventory_level_inventory_item_id_location_id'`
    )
    expect(levelIndex.indexdef).toMatch(/WHERE \(deleted_at IS NULL\)/)

    // Our service reads the old rows and keeps working on them.
    const ours = new DataSource({ type: "postgres", url, entities: [InventoryItem, InventoryLevel, ReservationItem, InventoryMovement] })
    await ours.initialize()
    sources.push(ours)
    const service = new InventoryService({ manager: ours.manager })
    const read = await service.retrieveInventoryItem(item.id)
    expect(read).toMatchObject({ id: item.id, sku: "OLD-1", title: "Old shirt", weight: 200, requires_shipping: true })
    expect(await service.retrieveReservationItem(reservation.id)).toMatchObject({ quantity: 2, line_item_id: "li_old" })
    expect(await service.retrieveAvailableQuantity(item.id, ["loc_a", "loc_b"])).toBe(12)
    await expect(service.retrieveInventoryItem(gone.id)).rejects.toThrow(`InventoryItem with id ${gone.id} was not found`)

    await service.createReservationItem({ inventory_item_id: item.id, location_id: "loc_a", quantity: 3 })
    expect(await service.retrieveReservedQuantity(item.id, ["loc_a"])).toBe(5)
    await service.deleteReservationItemsByLineItem("li_old")
    expect(await service.retrieveReservedQuantity(item.id, ["loc_a"])).toBe(3)

    // The official schema could never re-create a deleted level; ours can.
    await service.deleteInventoryLevel(item.id, "loc_b")
    const again = await service.createInventoryLevel({ inventory_item_id: item.id, location_id: "loc_b", stocked_quantity: 7 })
    expect(again.stocked_quantity).toBe(7)

    // Medusa's migrations table: the official names were recognised, ours added once.
    const applied = (await official.query(`SELECT name FROM migrations ORDER BY id`)).map((r: { name: string }) => r.name)
    expect(applied).toEqual([
      "inventorySetup1665748086258",
      "addReservationType1675761451145",
      "itemDescriptionsAndThumbnail1682927363119",
      "inventoryLevelUniqueLive1732867200000",
      "inventorySearchIndexes1732867300000",
      "inventoryStockLedger1733011200000",
      "inventoryServerFunctions1796083200000",
      "inventoryWarehouseOperations1796169600000",
      "inventoryServerFunctionsV21796256000000",
    ])
  })

  it("reverts migrations one at a time and can run them again", async () => {
    const url = await database("mit_revert")
    await runMigrations({ options: { database: { url } } })
    const ds = new DataSource({ type: "postgres", url })
    await ds.initialize()
    sources.push(ds)
    const functions = async () =>
      (await ds.query(`SELECT proname FROM pg_proc WHERE proname LIKE 'inventory\\_%\\_v_' ORDER BY 1`)).map((r: { proname: string }) => r.proname)
    expect(await functions()).toEqual(["inventory_reserve_one_v2", "inventory_sum_available_v2", "inventory_sum_reserved_v2", "inventory_sum_stocked_v2"])
    const levelColumns = async () =>
      (await ds.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'inventory_level' AND column_name LIKE '%\\_quantity' ORDER BY 1`)).map(
        (r: { column_name: string }) => r.column_name
      )
    await revertMigration({ options: { database: { url } } }) // server functions, second versions
    expect(await functions()).toEqual([])
    expect(await levelColumns()).toEqual(["damaged_quantity", "incoming_quantity", "quality_control_quantity", "reserved_quantity", "safety_stock_quantity", "stocked_quantity"])
    await revertMigration({ options: { database: { url } } }) // warehouse operations
    expect(await levelColumns()).toEqual(["incoming_quantity", "reserved_quantity", "stocked_quantity"])
    expect(await ds.query(`SELECT to_regclass('inventory_transfer') AS t`)).toEqual([{ t: null }])
    await revertMigration({ options: { database: { url } } }) // server functions
    await revertMigration({ options: { database: { url } } }) // stock ledger
    await revertMigration({ options: { database: { url } } }) // search indexes
    await revertMigration({ options: { database: { url } } }) // partial level index
    const [index] = await ds.query(
      `SELECT indexdef FROM pg_indexes WHERE indexname = 'UQ_inventory_level_inventory_item_id_location_id'`
    )
    expect(index.indexdef).not.toMatch(/WHERE/)
    await runMigrations({ options: { database: { url } } })
    const [again] = await ds.query(
      `SELECT indexdef FROM pg_indexes WHERE indexname = 'UQ_inventory_level_inventory_item_id_location_id'`
    )
    expect(again.indexdef).toMatch(/WHERE \(deleted_at IS NULL\)/)
    expect(await functions()).toHaveLength(4)
    expect(await levelColumns()).toHaveLength(6)
  })

  it("refuses to revert the warehouse operations while units are set aside or in transit", async () => {
    const url = await database("mit_revert_held")
    await runMigrations({ options: { database: { url } } })
    const ds = new DataSource({ type: "postgres", url, entities: [InventoryItem, InventoryLevel, ReservationItem, InventoryMovement] })
    await ds.initialize()
    sources.push(ds)
    const service = new InventoryService({ manager: ds.manager })
    const item = await service.createInventoryItem({ sku: "HELD" })
    await service.createInventoryLevels([
      { inventory_item_id: item.id, location_id: "loc_a", stocked_quantity: 5 },
      { inventory_item_id: item.id, location_id: "loc_b", stocked_quantity: 0 },
    ])
    await service.setAsideStock({ inventory_item_id: item.id, location_id: "loc_a", quantity: 1, state: "damaged" })
    const transfer = await service.transferStock({ inventory_item_id: item.id, from_location_id: "loc_a", to_location_id: "loc_b", quantity: 2, in_transit: true })
    await revertMigration({ options: { database: { url } } }) // the server functions' second versions, the last migration
    await expect(revertMigration({ options: { database: { url } } })).rejects.toThrow(
      "Cannot revert the warehouse operations migration: 1 level(s) hold units set aside and 1 transfer(s) are in transit"
    )
    await service.releaseSetAside({ inventory_item_id: item.id, location_id: "loc_a", quantity: 1, state: "damaged", to: "stocked" })
    await service.receiveTransfer(transfer.id, { received_quantity: 2 })
    await revertMigration({ options: { database: { url } } })
    expect(await ds.query(`SELECT to_regclass('inventory_transfer') AS t`)).toEqual([{ t: null }])
    expect(await ds.query(`SELECT location_id, stocked_quantity FROM inventory_level ORDER BY location_id`)).toEqual([
      { location_id: "loc_a", stocked_quantity: 3 },
      { location_id: "loc_b", stocked_quantity: 2 },
    ])
  })

  it("runMigrations without options.database logs and returns (shared mode)", async () => {
    const messages: string[] = []
    const logger = { info: (m: string) => messages.push(m) } as unknown as Console
    await expect(
      runMigrations({ options: { strictReservations: true }, logger }, { scope: "internal", resources: "shared" } as never)
    ).resolves.toBeUndefined()
    expect(messages.join("\n")).toMatch(/nothing to run/)
  })
})
