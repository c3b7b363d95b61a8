import { MedusaModule, Modules } from "@medusajs/modules-sdk"
import type { IInventoryService } from "@medusajs/types"
import { MedusaError } from "@medusajs/utils"
import path from "path"
import { DataSource } from "typeorm"
import { initialize } from "../../src"
import { createDatabase, dropDatabase, RecordingEventBus, uniqueDatabaseName } from "../utils/database"

/** The built entry, loaded as Medusa loads a module package (`npm test` builds it first). */
const PACKAGE_ENTRY = path.resolve(__dirname, "../../dist/src/index.js")

describe("loaded the way Medusa 1.20 loads it", () => {
  const names: string[] = []
  let url: string

  beforeAll(async () => {
    const name = uniqueDatabaseName("mit_load")
    names.push(name)
    url = await createDatabase(name)
  })

  afterEach(async () => {
    await MedusaModule.onApplicationShutdown()
    MedusaModule.clearInstances()
  })

  afterAll(async () => {
    for (const name of names) await dropDatabase(name)
  })

  it("the package entry is an ES module interop entry with the module definition", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pkg = require(PACKAGE_ENTRY)
    expect(pkg.__esModule).toBe(true)
    expect(Object.keys(pkg.default).sort()).toEqual(
      ["loaders", "migrations", "models", "revertMigration", "runMigrations", "service"].sort()
    )
    expect(pkg.default.models.map((m: Function) => m.name).sort()).toEqual(["InventoryItem", "InventoryLevel", "InventoryMovement", "InventoryTransfer", "ReservationItem"])
    expect(typeof pkg.initialize).toBe("function")
    expect(typeof pkg.runMigrations).toBe("function")
    expect(typeof pkg.revertMigration).toBe("function")
    expect(pkg.InventoryService).toBe(pkg.default.service)
    const joiner = new pkg.default.service({ manager: {} }).__joinerConfig()
    expect(joiner.serviceName).toBe("inventoryService")
    expect(joiner.primaryKeys).toEqual(["id"])
    expect(Object.keys(joiner.linkableKeys).sort()).toEqual(["inventory_item_id", "inventory_level_id", "reservation_item_id"])
    expect(joiner.alias.flatMap((a: { name: string[] }) => a.name)).toEqual(
      expect.arrayContaining(["inventory_items", "inventory_level", "reservation_items"])
    )
  })

  it("shared resources: Medusa's DataSource gets our models and migrations; the service uses its manager", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const definition = require(PACKAGE_ENTRY).default
    const host = new DataSource({
      type: "postgres",
      url,
      entities: definition.models,
      migrations: definition.migrations.flatMap((m: Record<string, Function>) => Object.values(m)),
    })
    await host.initialize()
    try {
      await host.runMigrations()
      const eventBus = new RecordingEventBus()
      const loaded = await MedusaModule.bootstrap<IInventoryService>({
        moduleKey: Modules.INVENTORY,
        defaultPath: PACKAGE_ENTRY,
        declaration: { scope: "internal", resources: "shared", resolve: PACKAGE_ENTRY, options: {} } as never,
        injectedDependencies: { manager: host.manager, eventBusService: eventBus },
      })
      const service = loaded[Modules.INVENTORY]

      // A caller transaction that commits: the item is there, the event is sent after commit.
      const item = await host.transaction(async (manager) => {
        const created = await service.createInventoryItem({ sku: "SHARED-1" }, { transactionManager: manager })
        expect(eventBus.names()).toEqual([])
        return created
      })
      expect(eventBus.names()).toEqual(["inventory-item.created"])
      expect((await service.retrieveInventoryItem(item.id)).sku).toBe("SHARED-1")

      // One that rolls back: nothing stays, no event.
      eventBus.clear()
      await expect(
        host.transaction(async (manager) => {
          await service.createInventoryItem({ sku: "SHARED-2" }, { transactionManager: manager })
          throw new Error("rollback")
        })
      ).rejects.toThrow("rollback")
      const [, count] = await service.listInventoryItems({ sku: "SHARED-2" })
      expect(count).toBe(0)
      expect(eventBus.names()).toEqual([])

      // Several calls in one caller transaction see each other's writes.
      await host.transaction(async (manager) => {
        const ctx = { transactionManager: manager }
        await service.createInventoryLevel({ inventory_item_id: item.id, location_id: "loc", stocked_quantity: 5 }, ctx)
        await service.createReservationItem({ inventory_item_id: item.id, location_id: "loc", quantity: 2 }, ctx)
        expect(await service.retrieveAvailableQuantity(item.id, ["loc"], ctx)).toBe(3)
      })
      expect(await service.retrieveAvailableQuantity(item.id, ["loc"])).toBe(3)
    } finally {
      await host.destroy()
    }
  })

  it("initialize({ database }) runs isolated on its own DataSource", async () => {
    const service = await initialize({ database: { url } })
    const item = await service.createInventoryItem({ sku: "ISOLATED-1" })
    await service.createInventoryLevel({ inventory_item_id: item.id, location_id: "loc", stocked_quantity: 1 })
    expect(await service.retrieveStockedQuantity(item.id, ["loc"])).toBe(1)
    // Without strictReservations, a reservation may exceed the stock (backorders).
    await service.createReservationItem({ inventory_item_id: item.id, location_id: "loc", quantity: 2 })
    expect(await service.retrieveAvailableQuantity(item.id, ["loc"])).toBe(-1)
  })

  it("initialize({ options: { database, strictReservations } }) passes the options to the service", async () => {
    const service = await initialize({ options: { database: { url }, strictReservations: true } })
    const item = await service.createInventoryItem({ sku: "ISOLATED-2" })
    await service.createInventoryLevel({ inventory_item_id: item.id, location_id: "loc", stocked_quantity: 1 })
    const error = await service
      .createReservationItem({ inventory_item_id: item.id, location_id: "loc", quantity: 2 })
      .catch((e: MedusaError) => e)
    expect(error).toMatchObject({ type: MedusaError.Types.NOT_ALLOWED, code: MedusaError.Codes.INSUFFICIENT_INVENTORY })
  })

  it("migrates the database of Medusa's shared-resources shape ({ clientUrl, driverOptions }), as its module SDK passes it", async () => {
    // Medusa 1.20's `medusa migrations run` migrates every module after its link migrations,
    // with this shape when the module's entry has options: TypeORM knows none of its keys.
    const name = uniqueDatabaseName("mit_load_sdk")
    names.push(name)
    const target = await createDatabase(name)
    const logger = { info: jest.fn(), warn: jest.fn(), error: jest.fn() }
    await MedusaModule.migrateUp(Modules.INVENTORY, PACKAGE_ENTRY, {
      strictReservations: true,
      database: { clientUrl: target, driverOptions: undefined, debug: false },
    })
    const probe = new DataSource({ type: "postgres", url: target })
    await probe.initialize()
    try {
      const [{ n }] = await probe.query(`SELECT count(*)::int AS n FROM migrations`)
      expect(n).toBeGreaterThanOrEqual(6)
      const [{ tables }] = await probe.query(
        `SELECT count(*)::int AS tables FROM information_schema.tables
          WHERE table_name IN ('inventory_item', 'inventory_level', 'reservation_item', 'inventory_movement')`
      )
      expect(tables).toBe(4)
    } finally {
      await probe.destroy()
    }
    // A `database` that names no server is not connected to (libpq's defaults would be a guess).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { runMigrations } = require(PACKAGE_ENTRY)
    await runMigrations({ options: { strictReservations: true, database: { debug: false } }, logger })
    expect(logger.info).toHaveBeenCalledWith(expect.stringMatching(/nothing to run here \(options\.database names no server\)/))
  })

  it("fails to load with a clear message when isolated without options.database", async () => {
    await expect(initialize({ options: {} } as never)).rejects.toThrow(/options\.database/)
  })

  it("fails to load when strictReservations is not a boolean", async () => {
    await expect(initialize({ options: { database: { url }, strictReservations: "yes" } } as never)).rejects.toThrow(
      /strictReservations/
    )
  })
})
