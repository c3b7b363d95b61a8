import { MedusaApp, MedusaModule, moduleLoader, Modules, registerMedusaModule } from "@medusajs/modules-sdk"
import type { IInventoryService, ModuleExports } from "@medusajs/types"
import { createMedusaContainer } from "@medusajs/utils"
import { asValue } from "awilix"
import path from "path"
import { Client } from "pg"
import { DataSource } from "typeorm"
import { createDatabase, dropDatabase, uniqueDatabaseName } from "../utils/database"
import { Cluster, startCluster } from "../utils/pg-cluster"

/**
 * Every way `@medusajs/modules-sdk` 1.12 (what Medusa 1.20 runs on) boots an inventory
 * module, side by side on this package's build and on `@medusajs/inventory@1.11.7`. Each
 * entry that boots must serve a round trip (create an item and a level, list by sku, read the
 * available quantity); an entry that refuses must refuse with a message that says why.
 *
 * | entry | official 1.11.7 | this module |
 * |---|---|---|
 * | `MedusaModule.bootstrap`, shared, without options | boots | boots (its declaration's own keys are not options) |
 * | `MedusaModule.bootstrap`, shared, with options | boots | boots |
 * | `MedusaModule.bootstrap`, isolated, with `options.database` | boots | boots |
 * | `MedusaModule.bootstrap`, isolated, without options | refuses: no options.database | refuses: no options.database |
 * | `initialize()` with a URL | boots | boots |
 * | `initialize()` with a DataSource options object (host, port, …) | refuses: it passes on only url, database, schema, extra and logging, so it connects to libpq's defaults | boots |
 * | `initialize()` with none | refuses: no options.database | refuses: no options.database |
 * | `MedusaModule.migrateUp` / `migrateDown` | migrates, reverts one | migrates, reverts one |
 * | `registerMedusaModule` + `moduleLoader` (Medusa 1.20's test server), with and without options | boots | boots |
 * | `MedusaApp` as Medusa 1.20's `loadMedusaApp` calls it, with and without options | boots | boots |
 */

/* eslint-disable @typescript-eslint/no-require-imports */
const OURS_ENTRY = path.resolve(__dirname, "../../dist/src/index.js")
const OFFICIAL_ENTRY = require.resolve("@medusajs/inventory")

interface Contender {
  name: "official" | "ours"
  entry: string
  exports: ModuleExports & { models: Function[]; migrations: unknown[] }
  initialize: (options?: unknown, deps?: Record<string, unknown>) => Promise<IInventoryService>
  runMigrations: (options: unknown) => Promise<void>
  /** Options in shared mode: a real one of ours (the official has none and ignores it). */
  sharedOptions: Record<string, unknown>
}

function contender(name: "official" | "ours", entry: string): Contender {
  const pkg = require(entry)
  return {
    name,
    entry,
    exports: pkg.default,
    initialize: pkg.initialize,
    runMigrations: pkg.runMigrations,
    sharedOptions: { strictReservations: true },
  }
}
/* eslint-enable @typescript-eslint/no-require-imports */

const CONTENDERS = [contender("official", OFFICIAL_ENTRY), contender("ours", OURS_ENTRY)]

const logger = () => {
  const lines: string[] = []
  const log = (message: unknown) => void lines.push(String(message))
  return { lines, info: log, warn: log, error: log, debug: log, log, activity: () => "", progress: log, success: log, failure: log, shouldLog: () => true, panic: log }
}

/**
 * MedusaModule.clearInstances(), and the SDK's cache of boots under way: a boot that fails
 * after its loaders (the SDK's own TypeError on a refused module) leaves its promise there
 * unsettled, and the same declaration booted again would wait on it forever.
 */
function clearModules(): void {
  MedusaModule.clearInstances()
  ;(MedusaModule as unknown as { loading_: Map<string, unknown> }).loading_.clear()
}

let counter = 0
async function roundTrip(service: IInventoryService): Promise<void> {
  const sku = `BOOT-${Date.now()}-${counter++}`
  const item = await service.createInventoryItem({ sku })
  await service.createInventoryLevel({ inventory_item_id: item.id, location_id: "loc_boot", stocked_quantity: 7 })
  const [items, count] = await service.listInventoryItems({ sku })
  expect(count).toBe(1)
  expect(items[0].id).toBe(item.id)
  expect(await service.retrieveAvailableQuantity(item.id, ["loc_boot"])).toBe(7)
}

/** The official module never closes the DataSource it makes in isolated mode: close it here. */
async function closeIsolated(service: unknown): Promise<void> {
  const connection = (service as { manager_?: { connection?: DataSource } })?.manager_?.connection
  if (connection?.isInitialized) await connection.destroy()
}

async function migrationCount(url: string): Promise<number> {
  const client = new Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query(`SELECT count(*)::int AS n FROM migrations`)).rows[0].n
  } finally {
    await client.end()
  }
}

describe.each(CONTENDERS)("booted by @medusajs/modules-sdk: $name", (mod) => {
  const names: string[] = []
  let url: string
  let host: DataSource
  let cluster: Cluster

  const database = () => ({ type: "postgres", url })

  beforeAll(async () => {
    const name = uniqueDatabaseName(`mit_boot_${mod.name}`)
    names.push(name)
    url = await createDatabase(name)
    await mod.runMigrations({ options: { database: database() } })
    // The host's DataSource in shared mode: Medusa adds the module's models to its own.
    host = new DataSource({ type: "postgres", url, entities: mod.exports.models })
    await host.initialize()
    // A server of its own (on a port that is not libpq's default) for the options object.
    cluster = await startCluster()
    await cluster.query(`CREATE DATABASE boot_options`)
    await mod.runMigrations({ options: { database: { type: "postgres", url: cluster.url("boot_options") } } })
  }, 120_000)

  afterEach(async () => {
    await MedusaModule.onApplicationShutdown()
    clearModules()
  })

  afterAll(async () => {
    if (host?.isInitialized) await host.destroy()
    await cluster?.destroy()
    for (const name of names) await dropDatabase(name)
  })

  const bootstrap = (declaration: Record<string, unknown>, deps: Record<string, unknown> = {}) =>
    MedusaModule.bootstrap<IInventoryService>({
      moduleKey: Modules.INVENTORY,
      defaultPath: "@medusajs/inventory",
      declaration: declaration as never,
      injectedDependencies: deps,
      moduleExports: mod.exports,
    })

  it("MedusaModule.bootstrap, shared resources, without options (the declaration is passed as options)", async () => {
    const loaded = await bootstrap({ scope: "internal", resources: "shared" }, { manager: host.manager })
    await roundTrip(loaded[Modules.INVENTORY])
  })

  it("MedusaModule.bootstrap, shared resources, with options", async () => {
    const loaded = await bootstrap({ scope: "internal", resources: "shared", options: mod.sharedOptions }, { manager: host.manager })
    await roundTrip(loaded[Modules.INVENTORY])
  })

  it("MedusaModule.bootstrap, isolated resources, with options.database", async () => {
    const loaded = await bootstrap({ scope: "internal", resources: "isolated", options: { database: database() } })
    const service = loaded[Modules.INVENTORY]
    try {
      await roundTrip(service)
    } finally {
      await closeIsolated(service)
    }
  })

  it("MedusaModule.bootstrap, isolated resources, without options: refused, saying options.database is missing", async () => {
    const log = logger()
    await expect(bootstrap({ scope: "internal", resources: "isolated" }, { logger: log })).rejects.toThrow()
    expect(log.lines.join("\n")).toMatch(/Database config is not present at module config "options\.database"/)
  })

  it("initialize() with a URL", async () => {
    const service = await mod.initialize({ database: database() })
    try {
      await roundTrip(service)
    } finally {
      await closeIsolated(service)
    }
  })

  it("initialize() with a DataSource options object (host, port, username, database)", async () => {
    const options = { database: { type: "postgres", host: "127.0.0.1", port: cluster.port, username: "postgres", database: "boot_options" } }
    if (mod.name === "official") {
      // It hands TypeORM only type, url, database, schema, extra and logging: host and port are
      // dropped, and it connects to libpq's defaults, where this database does not exist.
      const log = logger()
      await expect(mod.initialize(options, { logger: log })).rejects.toThrow()
      expect(log.lines.join("\n")).toMatch(/Loaders for module \w+ failed: no PostgreSQL user name specified/)
      return
    }
    const service = await mod.initialize(options)
    await roundTrip(service)
  })

  it("initialize() with none: refused, saying options.database is missing", async () => {
    const log = logger()
    await expect(mod.initialize(undefined, { logger: log })).rejects.toThrow()
    clearModules()
    const said = `${log.lines.join("\n")}\n${await mod.initialize().catch((e: Error) => e.message)}`
    expect(said).toMatch(/Database config is not present at module config "options\.database"/)
  })

  it("MedusaModule.migrateUp migrates a new database, migrateDown reverts one migration", async () => {
    const name = uniqueDatabaseName(`mit_boot_mig_${mod.name}`)
    names.push(name)
    const target = await createDatabase(name)
    await MedusaModule.migrateUp(Modules.INVENTORY, mod.entry, { database: { type: "postgres", url: target } }, mod.exports)
    const applied = await migrationCount(target)
    expect(applied).toBeGreaterThanOrEqual(3)
    const service = await mod.initialize({ database: { type: "postgres", url: target } })
    try {
      await roundTrip(service)
    } finally {
      await closeIsolated(service)
      await MedusaModule.onApplicationShutdown()
      clearModules()
    }
    await MedusaModule.migrateDown(Modules.INVENTORY, mod.entry, { database: { type: "postgres", url: target } }, mod.exports)
    expect(await migrationCount(target)).toBe(applied - 1)
  })

  for (const withOptions of [false, true]) {
    it(`registerMedusaModule + moduleLoader, as Medusa 1.20's test server loads modules, ${withOptions ? "with" : "without"} options`, async () => {
      const container = createMedusaContainer()
      const log = logger()
      container.register({ manager: asValue(host.manager), logger: asValue(log) })
      const declaration = withOptions ? { resolve: mod.entry, options: mod.sharedOptions } : { resolve: mod.entry }
      const moduleResolutions = registerMedusaModule(Modules.INVENTORY, declaration)
      await moduleLoader({ container, moduleResolutions, logger: log as never })
      const service = container.resolve<IInventoryService>("inventoryService")
      expect(log.lines.filter((l) => /Could not resolve|failed/.test(l))).toEqual([])
      await roundTrip(service)
    })

    it(`MedusaApp, as Medusa 1.20's loadMedusaApp boots the modules of medusa-config.js, ${withOptions ? "with" : "without"} options`, async () => {
      const sharedContainer = createMedusaContainer()
      const log = logger()
      sharedContainer.register({ manager: asValue(host.manager), logger: asValue(log) })
      // loadMedusaApp gives a legacy module without options these options.
      const options = withOptions ? mod.sharedOptions : { database: { type: "postgres", url } }
      const app = await MedusaApp({
        modulesConfig: { [Modules.INVENTORY]: { resolve: mod.entry, options } },
        sharedContainer,
        sharedResourcesConfig: { database: { clientUrl: url } },
        injectedDependencies: { logger: log },
      })
      try {
        const service = app.modules[Modules.INVENTORY] as unknown as IInventoryService
        await roundTrip(service)
      } finally {
        await app.onApplicationShutdown()
        const pg = sharedContainer.resolve<{ destroy?: () => Promise<void> } | undefined>("__pg_connection__", { allowUnregistered: true })
        await pg?.destroy?.()
      }
    })
  }
})

describe("this module's own options, through every entry", () => {
  it("a mistyped option still fails the boot, naming it", async () => {
    /* eslint-disable-next-line @typescript-eslint/no-require-imports */
    const ours = require(OURS_ENTRY)
    const log = logger()
    await expect(
      MedusaModule.bootstrap({
        moduleKey: Modules.INVENTORY,
        defaultPath: "@medusajs/inventory",
        declaration: { scope: "internal", resources: "shared", options: { strictReservation: true } } as never,
        injectedDependencies: { manager: {}, logger: log },
        moduleExports: ours.default,
      })
    ).rejects.toThrow()
    expect(log.lines.join("\n")).toMatch(/Inventory module: "options" has unknown field\(s\): "strictReservation"/)
    clearModules()
    await expect(ours.initialize({ database: { url: "postgres://nowhere/none" }, strictReservation: true })).rejects.toThrow(
      /"options" has unknown field\(s\): "strictReservation"/
    )
    MedusaModule.clearInstances()
  })
})
