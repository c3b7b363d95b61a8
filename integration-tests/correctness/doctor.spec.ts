import { execFile } from "child_process"
import path from "path"
import { promisify } from "util"
import { runDoctor, unresolvedProblems } from "../../src/tools/doctor"
import { setupTestDatabase, TestDatabase } from "../utils/database"

const run = promisify(execFile)
const CLI = path.resolve(__dirname, "../../dist/src/tools/cli/index.js")

describe("doctor", () => {
  let db: TestDatabase
  beforeAll(async () => {
    db = await setupTestDatabase("mit_doctor")
  })
  afterAll(async () => {
    await db.close()
  })

  /** Drift the way the official module leaves it: reserved quantities edited behind our back. */
  async function makeDrift() {
    await db.truncate()
    const service = db.service()
    const item = await service.createInventoryItem({ sku: "DRIFT" })
    const a = await service.createInventoryLevel({ inventory_item_id: item.id, location_id: "loc_a", stocked_quantity: 5 })
    const b = await service.createInventoryLevel({ inventory_item_id: item.id, location_id: "loc_b", stocked_quantity: 5 })
    await service.createReservationItem({ inventory_item_id: item.id, location_id: "loc_a", quantity: 2 })
    await db.query(`UPDATE inventory_level SET reserved_quantity = 9 WHERE id = $1`, [a.id])
    await db.query(`UPDATE inventory_level SET reserved_quantity = -15 WHERE id = $1`, [b.id])
    // A reservation whose level is gone, and a level with negative availability.
    await db.query(
      `INSERT INTO reservation_item (id, inventory_item_id, location_id, quantity) VALUES ('resitem_orphan', $1, 'loc_x', 1)`,
      [item.id]
    )
    return { item, a, b }
  }

  it("finds drift, fixes it in one go, and finds nothing the second time", async () => {
    const { a, b } = await makeDrift()
    const report = await runDoctor(db.dataSource)
    expect(report.levels_checked).toBe(2)
    expect(report.drift.map((d) => [d.level_id, d.reserved_quantity, d.reservations_quantity]).sort()).toEqual(
      [
        [a.id, 9, 2],
        [b.id, -15, 0],
      ].sort()
    )
    expect(report.orphan_reservations.map((o) => o.reservation_id)).toEqual(["resitem_orphan"])
    expect(report.negative_availability.map((n) => n.level_id)).toEqual([a.id])
    expect(report.fixed).toEqual([])
    expect(unresolvedProblems(report)).toBe(3)

    const fixed = await runDoctor(db.dataSource, { fix: true, batchSize: 1 })
    expect(fixed.fixed).toHaveLength(2)
    const levels = await db.query(`SELECT id, reserved_quantity FROM inventory_level ORDER BY id`)
    expect(Object.fromEntries(levels.map((l) => [l.id, l.reserved_quantity]))).toEqual({ [a.id]: 2, [b.id]: 0 })

    const again = await runDoctor(db.dataSource)
    expect(again.drift).toEqual([])
    expect(again.negative_availability).toEqual([])
    expect(unresolvedProblems(again)).toBe(1) // the orphan reservation is reported, not deleted
  })

  it("the CLI prints a summary, --json for scripts, and exits non-zero on unfixed problems", async () => {
    await makeDrift()
    const env = { ...process.env, DATABASE_URL: db.url }
    const human = await run("node", [CLI, "doctor"], { env }).catch((e) => e)
    expect(human.code).toBe(1)
    expect(human.stdout).toMatch(/2 level\(s\) whose reserved_quantity differs/)
    expect(human.stdout).toMatch(/reserved 9 -> 2/)
    expect(human.stderr).toMatch(/3 problem\(s\) left unfixed/)

    const fixed = await run("node", [CLI, "doctor", "--fix", "--json", "--database-url", db.url]).catch((e) => e)
    const report = JSON.parse(fixed.stdout)
    expect(report.fixed).toHaveLength(2)
    expect(fixed.code).toBe(1) // the orphan reservation remains

    await db.query(`DELETE FROM reservation_item WHERE id = 'resitem_orphan'`)
    const clean = await run("node", [CLI, "doctor", "--json"], { env })
    expect(JSON.parse(clean.stdout).drift).toEqual([])
  })

  it("the CLI fails with a one-line reason when the database does not answer", async () => {
    const result = await run("node", [CLI, "doctor", "--database-url", "postgres://postgres@127.0.0.1:1/nothing"]).catch((e) => e)
    expect(result.code).toBe(1)
    expect(result.stderr.trim()).toBe("medusa-inventory: connect ECONNREFUSED 127.0.0.1:1")
  })
})
