import { Client } from "pg"
import { DataSource } from "typeorm"
import { InventoryItem, InventoryLevel, ReservationItem, runMigrations } from "../../src"
import InventoryService from "../../src/services/inventory"
import { createDatabase, dropDatabase, SERVER_URL, uniqueDatabaseName } from "../utils/database"

/** The trigram indexes install for a non-superuser owner, and their absence is survivable. */
describe("search indexes", () => {
  const role = `mit_owner_${process.pid}`
  const names: string[] = []
  let admin: Client

  beforeAll(async () => {
    admin = new Client({ connectionString: SERVER_URL })
    await admin.connect()
    await admin.query(`DROP ROLE IF EXISTS ${role}`)
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${role}' NOSUPERUSER NOCREATEDB`)
  })

  afterAll(async () => {
    for (const name of names) await dropDatabase(name)
    await admin.query(`DROP ROLE IF EXISTS ${role}`)
    await admin.end()
  })

  function asRole(url: string): string {
    const u = new URL(url)
    u.username = role
    // The embedded server asks for passwords; CI's local one trusts and ignores it.
    u.password = role
    return u.toString()
  }

  async function indexes(url: string): Promise<string[]> {
    const client = new Client({ connectionString: url })
    await client.connect()
    try {
      const { rows } = await client.query(`SELECT indexname FROM pg_indexes WHERE indexname LIKE '%trgm' ORDER BY 1`)
      return rows.map((r: { indexname: string }) => r.indexname)
    } finally {
      await client.end()
    }
  }

  async function searchWorks(url: string): Promise<void> {
    const ds = new DataSource({ type: "postgres", url, entities: [InventoryItem, InventoryLevel, ReservationItem] })
    await ds.initialize()
    try {
      const service = new InventoryService({ manager: ds.manager })
      await service.createInventoryItems([{ sku: "RED-SHIRT" }, { sku: "BLUE", title: "Blue shirt" }, { sku: "HAT" }])
      const [rows, count] = await service.listInventoryItems({ q: "shirt" }, { order: { sku: "ASC" } })
      expect(count).toBe(2)
      expect(rows.map((r) => r.sku)).toEqual(["BLUE", "RED-SHIRT"])
    } finally {
      await ds.destroy()
    }
  }

  it("a database owner who is not superuser gets pg_trgm and the indexes", async () => {
    const name = uniqueDatabaseName("mit_owner")
    names.push(name)
    const url = await createDatabase(name)
    await admin.query(`ALTER DATABASE "${name}" OWNER TO ${role}`)
    await admin.query(`GRANT ALL ON DATABASE "${name}" TO ${role}`)
    const owner = new Client({ connectionString: url })
    await owner.connect()
    await owner.query(`ALTER SCHEMA public OWNER TO ${role}`)
    await owner.end()

    await runMigrations({ options: { database: { url: asRole(url) } } })
    expect(await indexes(url)).toEqual(["IDX_inventory_item_search_trgm"])
    await searchWorks(asRole(url))
  })

  it("without the right to create extensions, migrations still succeed and search still works", async () => {
    const name = uniqueDatabaseName("mit_noext")
    names.push(name)
    const url = await createDatabase(name)
    // May use the public schema, but has no CREATE on the database: CREATE EXTENSION fails.
    await admin.query(`REVOKE CREATE ON DATABASE "${name}" FROM PUBLIC`)
    const owner = new Client({ connectionString: url })
    await owner.connect()
    await owner.query(`ALTER SCHEMA public OWNER TO ${role}`)
    await owner.end()

    await runMigrations({ options: { database: { url: asRole(url) } } })
    expect(await indexes(url)).toEqual([])
    await searchWorks(asRole(url))
  })
})
