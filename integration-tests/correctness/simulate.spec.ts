import { execFile } from "child_process"
import path from "path"
import { promisify } from "util"
import { simulateCheckouts } from "../../src/tools/simulate"
import { reservedDrift, setupTestDatabase, TestDatabase } from "../utils/database"

const run = promisify(execFile)
const CLI = path.resolve(__dirname, "../../dist/src/tools/cli/index.js")

describe("medusa-inventory simulate", () => {
  let db: TestDatabase
  beforeAll(async () => {
    db = await setupTestDatabase("mit_sim", 10)
  })
  afterAll(async () => {
    await db.close()
  })

  it("without the guard all checkouts reserve; with it none is oversold", async () => {
    // Without the guard, how many confirmations pass before the first reservations land is a
    // race (as in Medusa): the books still balance, whatever the split.
    const lenient = await simulateCheckouts(db.dataSource, { checkouts: 60, stock: 10, strict: false, keep: true })
    expect(lenient.failed).toBe(0)
    expect(lenient.reserved + lenient.refused).toBe(60)
    expect(lenient.reserved).toBeGreaterThanOrEqual(10)
    expect(lenient.oversold).toBe(lenient.reserved - 10)
    expect(lenient.after).toEqual({ stocked: 10, reserved: lenient.reserved, available: 10 - lenient.reserved })

    const strict = await simulateCheckouts(db.dataSource, { checkouts: 60, stock: 10, strict: true })
    expect(strict).toMatchObject({ reserved: 10, refused: 50, failed: 0, oversold: 0, released: 10 })
    expect(strict.after).toEqual({ stocked: 10, reserved: 10, available: 0 })
    // Released after the run: the level is back where it was.
    const level = await db.service().retrieveInventoryLevel(strict.inventory_item_id, strict.location_id)
    expect(level.reserved_quantity).toBe(0)
    expect(await reservedDrift(db)).toEqual([])
  })

  it("the CLI prints JSON with --json and validates its numbers", async () => {
    const { stdout } = await run("node", [CLI, "simulate", "--strict", "--json", "-n", "30", "--stock", "7", "--database-url", db.url])
    expect(JSON.parse(stdout)).toMatchObject({ strict: true, checkouts: 30, reserved: 7, oversold: 0 })
    const bad = await run("node", [CLI, "simulate", "-n", "many", "--database-url", db.url]).catch((e) => e)
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/expected a non-negative integer, got "many"/)
  })
})
