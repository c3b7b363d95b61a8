import { execFile } from "child_process"
import path from "path"
import { promisify } from "util"
import { runDoctor, unresolvedProblems } from "../../src/tools/doctor"
import { ledgerImbalance, reservedDrift, setupTestDatabase, TestDatabase } from "../utils/database"

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
    // The raw edits are ledger imbalances too: the movements still say 2 and 0.
    expect(report.ledger_imbalance.map((i) => [i.level_id, i.reserved_quantity, i.ledger_reserved]).sort()).toEqual(
      [
        [a.id, 9, 2],
        [b.id, -15, 0],
      ].sort()
    )
    expect(report.ledger_fixed).toEqual([])
    expect(report.repair_movements).toBe(0)
    expect(unresolvedProblems(report)).toBe(5)

    const fixed = await runDoctor(db.dataSource, { fix: true, batchSize: 1 })
    expect(fixed.fixed).toHaveLength(2)
    expect(fixed.ledger_fixed).toHaveLength(2)
    expect(fixed.repair_movements).toBe(4)
    const levels = await db.query(`SELECT id, reserved_quantity FROM inventory_level ORDER BY id`)
    expect(Object.fromEntries(levels.map((l) => [l.id, l.reserved_quantity]))).toEqual({ [a.id]: 2, [b.id]: 0 })

    const again = await runDoctor(db.dataSource)
    expect(again.drift).toEqual([])
    expect(again.negative_availability).toEqual([])
    expect(again.ledger_imbalance).toEqual([])
    expect(unresolvedProblems(again)).toBe(1) // the orphan reservation is reported, not deleted
  })

  it("the CLI prints a summary, --json for scripts, and exits non-zero on unfixed problems", async () => {
    await makeDrift()
    const env = { ...process.env, DATABASE_URL: db.url }
    const human = await run("node", [CLI, "doctor"], { env }).catch((e) => e)
    expect(human.code).toBe(1)
    expect(human.stdout).toMatch(/2 level\(s\) whose reserved_quantity differs/)
    expect(human.stdout).toMatch(/reserved 9 -> 2/)
    expect(human.stdout).toMatch(/2 \(item, location\) pair\(s\) whose quantities differ from the sums of their movements/)
    expect(human.stderr).toMatch(/5 problem\(s\) left unfixed/)

    const fixed = await run("node", [CLI, "doctor", "--fix", "--json", "--database-url", db.url]).catch((e) => e)
    const report = JSON.parse(fixed.stdout)
    expect(report.fixed).toHaveLength(2)
    expect(fixed.code).toBe(1) // the orphan reservation remains

    await db.query(`DELETE FROM reservation_item WHERE id = 'resitem_orphan'`)
    const clean = await run("node", [CLI, "doctor", "--json"], { env })
    expect(JSON.parse(clean.stdout).drift).toEqual([])
    expect(JSON.parse(clean.stdout).ledger_imbalance).toEqual([])
  }, 180_000)

  /** The movements of a level, oldest first. */
  const movements = (itemId: string, locationId: string) =>
    db.query(
      `SELECT reason, stocked_delta::int, reserved_delta::int, stocked_after, reserved_after, reference, actor, id
         FROM inventory_movement WHERE inventory_item_id = $1 AND location_id = $2 ORDER BY created_at, id`,
      [itemId, locationId]
    )

  it("finds a ledger imbalance (I6) made by raw SQL; --fix records it as a repair movement and the next run is clean", async () => {
    await db.truncate()
    const service = db.service()
    const item = await service.createInventoryItem({ sku: "LEDGER" })
    const level = await service.createInventoryLevel({ inventory_item_id: item.id, location_id: "loc_a", stocked_quantity: 5 })
    await service.createReservationItem({ inventory_item_id: item.id, location_id: "loc_a", quantity: 2 })
    expect(await ledgerImbalance(db)).toEqual([])
    // Stock changed behind the module's back: no movement.
    await db.query(`UPDATE inventory_level SET stocked_quantity = stocked_quantity + 3 WHERE id = $1`, [level.id])
    const env = { ...process.env, DATABASE_URL: db.url }

    const found = await run("node", [CLI, "doctor"], { env }).catch((e) => e)
    expect(found.code).toBe(1)
    expect(found.stdout).toMatch(/1 \(item, location\) pair\(s\) whose quantities differ from the sums of their movements \(ledger, I6\)/)
    expect(found.stdout).toContain(`found  ${level.id}  item ${item.id} @ loc_a: stocked 8, movements 5 (+3)`)
    expect(found.stdout).toMatch(/Reserved quantities match live reservations/)
    expect(found.stderr).toMatch(/1 problem\(s\) left unfixed/)
    const report = await runDoctor(db.dataSource)
    expect(report.ledger_imbalance).toMatchObject([
      {
        level_id: level.id,
        inventory_item_id: item.id,
        location_id: "loc_a",
        stocked_quantity: 8,
        reserved_quantity: 2,
        ledger_stocked: 5,
        ledger_reserved: 2,
      },
    ])
    expect(unresolvedProblems(report)).toBe(1)

    const fixed = await run("node", [CLI, "doctor", "--fix"], { env })
    expect(fixed.stdout).toContain(`fixed  ${level.id}  item ${item.id} @ loc_a: stocked 8, movements 5 (+3)`)
    expect(fixed.stdout).toMatch(/Wrote 1 repair movement\(s\)/)
    const history = await movements(item.id, "loc_a")
    expect(history.map((m) => m.reason)).toEqual(["level_created", "reservation", "repair"])
    expect(history[2]).toMatchObject({
      stocked_delta: 3,
      reserved_delta: 0,
      stocked_after: 8,
      reserved_after: 2,
      reference: "doctor:ledger_imbalance",
      actor: "medusa-inventory doctor",
    })
    expect(history[2].id).toMatch(/^imov_[0-9A-HJKMNP-TV-Z]{26}$/)
    expect(await ledgerImbalance(db)).toEqual([])

    const clean = await run("node", [CLI, "doctor", "--json"], { env })
    const after = JSON.parse(clean.stdout)
    expect(after.drift).toEqual([])
    expect(after.ledger_imbalance).toEqual([])
    expect(after.repair_movements).toBe(0)
  }, 180_000)

  it("reports (and balances) an imbalance whose movements sum beyond a PostgreSQL integer", async () => {
    await db.truncate()
    const service = db.service()
    const item = await service.createInventoryItem({ sku: "HUGE" })
    const level = await service.createInventoryLevel({ inventory_item_id: item.id, location_id: "loc_a", stocked_quantity: 5 })
    // Two movements written behind the module's back whose sum is 3,000,000,005 (> 2^31 - 1).
    for (const suffix of ["A", "B"]) {
      await db.query(
        `INSERT INTO inventory_movement (id, inventory_item_id, location_id, stocked_delta, reserved_delta, stocked_after, reserved_after, reason)
         VALUES ($1, $2, 'loc_a', 1500000000, 0, 5, 0, 'adjustment')`,
        [`imov_HUGE${suffix}`, item.id]
      )
    }
    const report = await runDoctor(db.dataSource)
    expect(report.ledger_imbalance).toMatchObject([
      {
        level_id: level.id,
        inventory_item_id: item.id,
        location_id: "loc_a",
        stocked_quantity: 5,
        reserved_quantity: 0,
        ledger_stocked: 3_000_000_005,
        ledger_reserved: 0,
      },
    ])
    const fixed = await runDoctor(db.dataSource, { fix: true })
    expect(fixed.repair_movements).toBe(1)
    expect((await runDoctor(db.dataSource)).ledger_imbalance).toEqual([])
  })

  it("--fix writes a repair movement for each drift it fixes and balances pairs without a live level to 0", async () => {
    await db.truncate()
    const service = db.service()
    const item = await service.createInventoryItem({ sku: "REPAIR" })
    const a = await service.createInventoryLevel({ inventory_item_id: item.id, location_id: "loc_a", stocked_quantity: 5 })
    await service.createInventoryLevel({ inventory_item_id: item.id, location_id: "loc_b", stocked_quantity: 4 })
    await service.createReservationItem({ inventory_item_id: item.id, location_id: "loc_a", quantity: 2 })
    // Drift (and so an imbalance) at loc_a; a level deleted behind the module's back at loc_b
    // leaves its movements summing to 4 and 0 with no live level.
    await db.query(`UPDATE inventory_level SET reserved_quantity = 9 WHERE id = $1`, [a.id])
    await db.query(`DELETE FROM inventory_level WHERE location_id = 'loc_b'`)

    const report = await runDoctor(db.dataSource)
    expect(report.drift.map((d) => d.level_id)).toEqual([a.id])
    expect(report.ledger_imbalance.map((i) => [i.level_id, i.location_id, i.stocked_quantity, i.ledger_stocked, i.reserved_quantity, i.ledger_reserved])).toEqual([
      [a.id, "loc_a", 5, 5, 9, 2],
      [null, "loc_b", 0, 4, 0, 0],
    ])
    expect(unresolvedProblems(report)).toBe(3)

    const { stdout } = await run("node", [CLI, "doctor", "--fix", "--json", "--database-url", db.url])
    const fixed = JSON.parse(stdout)
    expect(fixed.fixed).toHaveLength(1)
    expect(fixed.ledger_fixed).toHaveLength(2)
    expect(fixed.repair_movements).toBe(3)

    // loc_a: the unrecorded +7 first (afters as they stood), then the drift repair back to 2.
    const atA = await movements(item.id, "loc_a")
    expect(atA.map((m) => [m.reason, m.stocked_delta, m.reserved_delta, m.stocked_after, m.reserved_after, m.reference])).toEqual([
      ["level_created", 5, 0, 5, 0, null],
      ["reservation", 0, 2, 5, 2, null],
      ["repair", 0, 7, 5, 9, "doctor:ledger_imbalance"],
      ["repair", 0, -7, 5, 2, "doctor:reserved_drift"],
    ])
    const atB = await movements(item.id, "loc_b")
    expect(atB.map((m) => [m.reason, m.stocked_delta, m.reserved_delta, m.stocked_after, m.reserved_after])).toEqual([
      ["level_created", 4, 0, 4, 0],
      ["repair", -4, 0, 0, 0],
    ])
    expect(await ledgerImbalance(db)).toEqual([])
    expect(await reservedDrift(db)).toEqual([])
    const again = await runDoctor(db.dataSource)
    expect(unresolvedProblems(again)).toBe(0)
  }, 120_000)

  it("the CLI fails with a one-line reason when the database does not answer", async () => {
    const result = await run("node", [CLI, "doctor", "--database-url", "postgres://postgres@127.0.0.1:1/nothing"]).catch((e) => e)
    expect(result.code).toBe(1)
    expect(result.stderr.trim()).toBe("medusa-inventory: connect ECONNREFUSED 127.0.0.1:1")
  })
})
