import { execFile } from "child_process"
import fs from "fs"
import os from "os"
import path from "path"
import { promisify } from "util"
import { ledgerImbalance, setupTestDatabase, TestDatabase } from "../utils/database"

const run = promisify(execFile)
const CLI = path.resolve(__dirname, "../../dist/src/tools/cli/index.js")
const CLI_TIMEOUT = 180_000
const ROWS = 10_000

/**
 * `medusa-inventory count import` and `export` on real files against PostgreSQL: a 10,000-row
 * count with one row gone stale since its dry run (CONFLICT naming the row, nothing written) and
 * with one bad row (its line number reported, nothing written), the count applied once, and the
 * export of every level as CSV and JSON.
 */
describe("medusa-inventory count import and export", () => {
  let db: TestDatabase
  let env: NodeJS.ProcessEnv
  let dir: string

  beforeAll(async () => {
    db = await setupTestDatabase("mit_count_cli")
    env = { ...process.env, DATABASE_URL: db.url }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mit-count-"))
  })
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true })
    await db.close()
  })

  const cli = (...args: string[]) => run("node", [CLI, ...args], { env, maxBuffer: 64 * 1024 * 1024 })
  const failing = (...args: string[]) =>
    cli(...args).then(
      (ok) => Promise.reject(new Error(`expected ${args.join(" ")} to fail; it printed ${ok.stdout.slice(0, 500)}`)),
      (error) => error as { code: number; stdout: string; stderr: string }
    )

  /** ROWS items with a level of 50 each at loc_main, made in SQL (and opened in the ledger like the migration does). */
  async function seed(): Promise<void> {
    await db.truncate()
    await db.query(
      `INSERT INTO inventory_item (id, sku, requires_shipping)
       SELECT 'iitem_c' || lpad(g::text, 6, '0'), 'CNT-' || lpad(g::text, 6, '0'), true FROM generate_series(1, $1::int) g`,
      [ROWS]
    )
    await db.query(
      `INSERT INTO inventory_level (id, inventory_item_id, location_id, stocked_quantity)
       SELECT 'ilev_c' || lpad(g::text, 6, '0'), 'iitem_c' || lpad(g::text, 6, '0'), 'loc_main', 50 FROM generate_series(1, $1::int) g`,
      [ROWS]
    )
    await db.query(
      `INSERT INTO inventory_movement (id, inventory_item_id, location_id, stocked_delta, reserved_delta, stocked_after, reserved_after, reason)
       SELECT 'imov_c' || id, inventory_item_id, location_id, stocked_quantity, 0, stocked_quantity, 0, 'opening' FROM inventory_level`
    )
  }

  /** A count file: every item counted at 50 + (n % 3) − 1 (so a third each of −1, 0, +1), with `edit` applied to the lines. */
  function countFile(name: string, edit: (lines: string[]) => void = () => undefined): string {
    const lines = ["sku,location_id,counted"]
    for (let n = 1; n <= ROWS; n++) lines.push(`CNT-${String(n).padStart(6, "0")},loc_main,${50 + (n % 3) - 1}`)
    edit(lines)
    const file = path.join(dir, name)
    fs.writeFileSync(file, lines.join("\n") + "\n")
    return file
  }

  const state = async () =>
    db.query(`SELECT (SELECT sum(stocked_quantity)::int FROM inventory_level) AS stocked, (SELECT count(*)::int FROM inventory_movement) AS movements`)

  it(
    "a 10,000-row count: the dry run writes nothing; a sale since then is a CONFLICT naming its line, nothing written; the fresh diff applies once",
    async () => {
      await seed()
      const file = countFile("stale.csv")
      const before = await state()
      const dry = await cli("count", "import", file)
      const lines = dry.stdout.trimEnd().split("\n")
      expect(lines[0]).toBe(`Count of ${file}: ${ROWS} row(s), 6666 change(s) (+3333 / -3333 units).`)
      expect(lines[1].trim().split(/\s{2,}/)).toEqual(["LINE", "SKU", "LOCATION", "CURRENT", "COUNTED", "DELTA"])
      // The rows that change, from line 3 (CNT-000001 on line 2 is counted as it is).
      expect(lines[2].trim().split(/\s+/)).toEqual(["3", "CNT-000002", "loc_main", "50", "51", "+1"])
      expect(lines[3].trim().split(/\s+/)).toEqual(["4", "CNT-000003", "loc_main", "50", "49", "-1"])
      expect(dry.stdout).toContain(`3334 unchanged row(s) not shown (--all shows them).`)
      expect(dry.stdout).toContain("Dry run: nothing was written.")
      expect(fs.existsSync(`${file}.diff.json`)).toBe(true)
      expect(await state()).toEqual(before)

      // A sale of one unit of the item on line 5001 (CNT-005000) after the dry run.
      await db.service().adjustInventory("iitem_c005000", "loc_main", -1)
      const afterSale = await state()
      const stale = await failing("count", "import", file, "--apply")
      expect(stale.code).toBe(1)
      expect(stale.stderr).toContain("line 5001: CNT-005000 at loc_main: the diff showed 50, it is now 49")
      expect(stale.stderr).toMatch(/medusa-inventory: 1 row\(s\) changed since the diff; nothing was written/)
      expect(await state()).toEqual(afterSale)

      // Again: a fresh diff, then --apply writes every row in one go, once.
      await cli("count", "import", file)
      const applied = await cli("count", "import", file, "--apply")
      expect(applied.stdout).toMatch(new RegExp(`^Applied the count of ${file}: ${ROWS} row\\(s\\), 6666 level\\(s\\) changed \\(reason cycle_count, idempotency key stock-count:[0-9a-f]{64}\\)\\.`))
      const [{ stocked, counted }] = await db.query(
        `SELECT sum(stocked_quantity)::int AS stocked, (SELECT count(*)::int FROM inventory_movement WHERE reason = 'cycle_count') AS counted FROM inventory_level`
      )
      // The count replaces the sale's 49 of CNT-005000 with its 51.
      expect({ stocked, counted }).toEqual({ stocked: ROWS * 50, counted: 6666 })
      const again = await cli("count", "import", file, "--apply", "--json")
      expect(JSON.parse(again.stdout)).toMatchObject({ replayed: true, rows: ROWS, changed: 0 })
      expect(await ledgerImbalance(db)).toEqual([])
    },
    CLI_TIMEOUT
  )

  it(
    "a 10,000-row count with one bad row reports its line number and writes nothing, dry run or --apply",
    async () => {
      await seed()
      const file = countFile("bad.csv", (lines) => {
        lines[7344] = "CNT-007344,loc_main,-3" // line 7345 of the file
      })
      const before = await state()
      const dry = await failing("count", "import", file)
      expect(dry.code).toBe(1)
      expect(dry.stderr.trim().split("\n")).toEqual([`line 7345: "counted" must be a non-negative integer (got "-3")`, "medusa-inventory: 1 bad row(s); nothing was written"])
      expect(fs.existsSync(`${file}.diff.json`)).toBe(false)
      const apply = await failing("count", "import", file, "--apply")
      expect(apply.stderr).toMatch(/no diff of .*bad\.csv at .*bad\.csv\.diff\.json: run `medusa-inventory count import/)
      // A file edited after its dry run is refused too.
      const good = countFile("edited.csv")
      await cli("count", "import", good)
      fs.appendFileSync(good, "CNT-000001,loc_main,1\n")
      expect((await failing("count", "import", good, "--apply")).stderr).toContain("changed since its diff")
      const unknown = countFile("unknown.csv", (lines) => {
        lines[10] = "CNT-999999,loc_main,3"
        lines.push("CNT-000002,loc_main,5")
      })
      const resolved = await failing("count", "import", unknown, "--json")
      expect(resolved.stderr.trim().split("\n")).toEqual([
        `line 11: unknown sku "CNT-999999"`,
        `line ${ROWS + 2}: counts the level of line 3 again (CNT-000002 at loc_main)`,
        "medusa-inventory: 2 bad row(s); nothing was written",
      ])
      expect(await state()).toEqual(before)
    },
    CLI_TIMEOUT
  )

  it(
    "export streams every live level as CSV or JSON, with the units set aside, by location, to stdout or a file",
    async () => {
      await db.truncate()
      const service = db.service()
      const a = await service.createInventoryItem({ sku: "EXP-A" })
      const b = await service.createInventoryItem({ sku: "EXP-B" })
      await service.createInventoryLevels([
        { inventory_item_id: a.id, location_id: "loc_1", stocked_quantity: 10 },
        { inventory_item_id: a.id, location_id: "loc_2", stocked_quantity: 4, incoming_quantity: 3 },
        { inventory_item_id: b.id, location_id: "loc_1", stocked_quantity: 7 },
      ])
      await service.createReservationItem({ inventory_item_id: a.id, location_id: "loc_1", quantity: 2 })
      await service.setAsideStock({ inventory_item_id: a.id, location_id: "loc_1", quantity: 1, state: "damaged" })
      await service.deleteInventoryLevel(b.id, "loc_1")

      const csv = await cli("export")
      expect(csv.stdout.trimEnd().split("\n")).toEqual([
        "sku,inventory_item_id,location_id,stocked,reserved,incoming,available,damaged,quality_control,safety_stock",
        `EXP-A,${a.id},loc_1,9,2,0,7,1,0,0`,
        `EXP-A,${a.id},loc_2,4,0,3,4,0,0,0`,
      ])
      const json = await cli("export", "--format", "json", "--location", "loc_2")
      expect(JSON.parse(json.stdout)).toEqual([
        { sku: "EXP-A", inventory_item_id: a.id, location_id: "loc_2", stocked: 4, reserved: 0, incoming: 3, available: 4, unavailable: { damaged: 0, quality_control: 0, safety_stock: 0 } },
      ])
      expect(JSON.parse((await cli("export", "--format", "json", "--location", "loc_9")).stdout)).toEqual([])
      const out = path.join(dir, "levels.csv")
      const written = await cli("export", "--output", out)
      expect(written.stderr).toContain(`exported 2 level(s) to ${out}`)
      expect(fs.readFileSync(out, "utf8")).toBe(csv.stdout)
      expect((await failing("export", "--format", "xml")).stderr).toMatch(/argument 'xml' is invalid/)
    },
    CLI_TIMEOUT
  )

  it(
    "export streams: 200,000 levels as JSON within a 48 MB JavaScript heap (holding them all would not fit)",
    async () => {
      await db.truncate()
      await db.query(
        `INSERT INTO inventory_item (id, sku, requires_shipping)
         SELECT 'iitem_e' || lpad(g::text, 6, '0'), 'EXP-' || lpad(g::text, 6, '0'), true FROM generate_series(1, 50000) g`
      )
      await db.query(
        `INSERT INTO inventory_level (id, inventory_item_id, location_id, stocked_quantity)
         SELECT 'ilev_e' || lpad(g::text, 7, '0'), 'iitem_e' || lpad(((g - 1) % 50000 + 1)::text, 6, '0'), 'loc_' || ((g - 1) / 50000), 7
           FROM generate_series(1, 200000) g`
      )
      const out = path.join(dir, "levels.json")
      await run("node", ["--max-old-space-size=48", CLI, "export", "--format", "json", "--output", out], { env })
      const text = fs.readFileSync(out, "utf8")
      const lines = text.trimEnd().split("\n")
      expect(lines).toHaveLength(200_002) // "[", a row per level, "]"
      expect(JSON.parse(lines[1].replace(/,$/, ""))).toEqual({
        sku: "EXP-000001",
        inventory_item_id: "iitem_e000001",
        location_id: "loc_0",
        stocked: 7,
        reserved: 0,
        incoming: 0,
        available: 7,
        unavailable: { damaged: 0, quality_control: 0, safety_stock: 0 },
      })
      expect(JSON.parse(text)).toHaveLength(200_000)
    },
    CLI_TIMEOUT
  )
})
