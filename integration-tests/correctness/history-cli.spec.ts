import { execFile } from "child_process"
import path from "path"
import { promisify } from "util"
import { ledgerImbalance, setupTestDatabase, TestDatabase } from "../utils/database"

const run = promisify(execFile)
const CLI = path.resolve(__dirname, "../../dist/src/tools/cli/index.js")

/** The CLI's commands spawn node and connect: slow on a loaded machine. */
const CLI_TIMEOUT = 180_000

describe("medusa-inventory history, history prune and sweep", () => {
  let db: TestDatabase
  let env: NodeJS.ProcessEnv
  beforeAll(async () => {
    db = await setupTestDatabase("mit_history")
    env = { ...process.env, DATABASE_URL: db.url }
  })
  afterAll(async () => {
    await db.close()
  })

  const cli = (...args: string[]) => run("node", [CLI, ...args], { env })
  const failing = (...args: string[]) => cli(...args).then(
    (ok) => Promise.reject(new Error(`expected ${args.join(" ")} to fail; it printed ${ok.stdout}`)),
    (error) => error as { code: number; stdout: string; stderr: string }
  )

  it(
    "history prints an item's movements newest first, by id or sku, at a location, and as JSON",
    async () => {
      await db.truncate()
      const service = db.service()
      const item = await service.createInventoryItem({ sku: "HIST-1" })
      await service.createInventoryLevel({ inventory_item_id: item.id, location_id: "loc_a", stocked_quantity: 10 })
      await service.createInventoryLevel({ inventory_item_id: item.id, location_id: "loc_b", stocked_quantity: 5 })
      await service.adjustStockedQuantities([{ inventory_item_id: item.id, location_id: "loc_a", delta: -2 }], { reference: "po_1" })
      await service.createReservationItem({ inventory_item_id: item.id, location_id: "loc_a", quantity: 3, line_item_id: "line_1" })

      const { stdout } = await cli("history", "--item", "HIST-1")
      const lines = stdout.trimEnd().split("\n")
      expect(lines[0]).toBe(`Movements of item ${item.id} (sku HIST-1): 4, newest first.`)
      expect(lines[1].split(/\s{2,}/)).toEqual(["TIME", "LOCATION", "REASON", "STOCKED", "RESERVED", "STOCKED AFTER", "RESERVED AFTER", "REFERENCE"])
      const time = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"
      const rows = lines.slice(2)
      expect(rows).toHaveLength(4)
      expect(rows[0]).toMatch(new RegExp(`^${time}  loc_a\\s+reservation\\s+0\\s+\\+3\\s+8\\s+3  line_1$`))
      expect(rows[1]).toMatch(new RegExp(`^${time}  loc_a\\s+adjustment\\s+-2\\s+0\\s+8\\s+0  po_1$`))
      expect(rows[2]).toMatch(new RegExp(`^${time}  loc_b\\s+level_created\\s+\\+5\\s+0\\s+5\\s+0$`))
      expect(rows[3]).toMatch(new RegExp(`^${time}  loc_a\\s+level_created\\s+\\+10\\s+0\\s+10\\s+0$`))

      const json = await cli("history", "--item", item.id, "--location", "loc_a", "--limit", "2", "--json")
      const movements = JSON.parse(json.stdout)
      expect(movements).toHaveLength(2)
      expect(movements[0]).toMatchObject({
        inventory_item_id: item.id,
        location_id: "loc_a",
        reason: "reservation",
        stocked_delta: 0,
        reserved_delta: 3,
        stocked_after: 8,
        reserved_after: 3,
        reference: "line_1",
      })
      expect(movements[0].id).toMatch(/^imov_/)
      expect(movements[0].reservation_item_id).toMatch(/^resitem_/)
      expect(new Date(movements[0].created_at).getTime()).toBeGreaterThanOrEqual(new Date(movements[1].created_at).getTime())
      expect(movements[1]).toMatchObject({ reason: "adjustment", stocked_delta: -2, reserved_delta: 0, stocked_after: 8, reference: "po_1" })

      const atB = await cli("history", "--item", item.id, "--location", "loc_b", "--limit", "5")
      expect(atB.stdout).toMatch(new RegExp(`^Movements of item ${item.id} \\(sku HIST-1\\) at loc_b: 1, newest first\\.`))
      expect(atB.stdout).not.toMatch(/loc_a/)

      const unknown = await failing("history", "--item", "NO-SUCH-SKU")
      expect(unknown.code).toBe(1)
      expect(unknown.stderr.trim()).toBe('medusa-inventory: no inventory item with id or sku "NO-SUCH-SKU"')
      expect(unknown.stdout).toBe("")
    },
    CLI_TIMEOUT
  )

  it(
    "history prune folds old movements into one opening per item and location, keeping I6 and the newer movements",
    async () => {
      await db.truncate()
      const service = db.service()
      const item = await service.createInventoryItem({ sku: "PRUNE-1" })
      await service.createInventoryLevel({ inventory_item_id: item.id, location_id: "loc_a", stocked_quantity: 10 })
      await service.createInventoryLevel({ inventory_item_id: item.id, location_id: "loc_b", stocked_quantity: 4 })
      await service.adjustStockedQuantities([{ inventory_item_id: item.id, location_id: "loc_a", delta: 5 }], { idempotency_key: "old-key" })
      await service.createReservationItem({ inventory_item_id: item.id, location_id: "loc_a", quantity: 2 })
      // Ten days ago, all of that.
      await db.query(`UPDATE inventory_movement SET created_at = created_at - interval '10 days'`)
      await db.query(`UPDATE inventory_idempotency_key SET created_at = created_at - interval '10 days'`)
      // And now: newer movements, which stay as they are.
      await service.adjustStockedQuantities([{ inventory_item_id: item.id, location_id: "loc_a", delta: -1 }], { idempotency_key: "new-key", reference: "count_7" })
      await service.createReservationItem({ inventory_item_id: item.id, location_id: "loc_b", quantity: 1 })
      const newer = await db.query(`SELECT * FROM inventory_movement WHERE created_at > now() - interval '1 day' ORDER BY id`)
      expect(newer).toHaveLength(2)
      const [lastOldAtA] = await db.query(
        `SELECT created_at::text AS created_at, stocked_after, reserved_after FROM inventory_movement
          WHERE location_id = 'loc_a' AND created_at < now() - interval '1 day' ORDER BY created_at DESC, id DESC LIMIT 1`
      )
      expect(lastOldAtA).toMatchObject({ stocked_after: 15, reserved_after: 2 })

      const before = `${new Date(Date.now() - 5 * 24 * 3600 * 1000).toISOString().slice(0, 19)}Z`
      const { stdout } = await cli("history", "prune", "--before", before)
      expect(stdout).toContain(`Folded 4 movement(s) created before ${before} into 2 opening movement(s).`)
      expect(stdout).toContain("Deleted 1 idempotency key(s) older than that.")

      expect(await ledgerImbalance(db)).toEqual([])
      expect(await db.query(`SELECT * FROM inventory_movement WHERE created_at > now() - interval '1 day' ORDER BY id`)).toEqual(newer)
      const openings = await db.query(
        `SELECT location_id, reason, stocked_delta::int, reserved_delta::int, stocked_after, reserved_after, created_at::text AS created_at,
                metadata->'folded_movements' AS folded, id
           FROM inventory_movement WHERE created_at < now() - interval '1 day' ORDER BY location_id`
      )
      expect(openings.map(({ id: _id, ...o }) => o)).toEqual([
        { location_id: "loc_a", reason: "opening", stocked_delta: 15, reserved_delta: 2, stocked_after: 15, reserved_after: 2, created_at: lastOldAtA.created_at, folded: 3 },
        { location_id: "loc_b", reason: "opening", stocked_delta: 4, reserved_delta: 0, stocked_after: 4, reserved_after: 0, created_at: expect.any(String), folded: 1 },
      ])
      expect(openings[0].id).toMatch(/^imov_[0-9A-HJKMNP-TV-Z]{26}$/)
      expect((await db.query(`SELECT key FROM inventory_idempotency_key`)).map((k) => k.key)).toEqual(["new-key"])

      // The history reads on from the opening; a second prune has nothing left to fold.
      const history = await cli("history", "--item", "PRUNE-1", "--location", "loc_a")
      expect(history.stdout).toMatch(/loc_a\s+adjustment\s+-1\s+0\s+14\s+2 {2}count_7\n.*loc_a\s+opening\s+\+15\s+\+2\s+15\s+2\n?$/)
      const again = JSON.parse((await cli("history", "prune", "--before", before, "--json")).stdout)
      expect(again).toEqual({ before, movements_folded: 0, openings: 0, idempotency_keys_deleted: 0 })
      expect(await ledgerImbalance(db)).toEqual([])

      const invalid = await failing("history", "prune", "--before", "2026-02-30")
      expect(invalid.code).toBe(1)
      expect(invalid.stderr.trim()).toBe('medusa-inventory: --before expects a date such as 2026-01-31 or 2026-01-31T12:00:00Z, got "2026-02-30"')
    },
    CLI_TIMEOUT
  )

  it(
    "sweep releases the expired reservations through the service and leaves the others",
    async () => {
      await db.truncate()
      const service = db.service()
      const item = await service.createInventoryItem({ sku: "SWEEP-1" })
      await service.createInventoryLevel({ inventory_item_id: item.id, location_id: "loc_a", stocked_quantity: 10 })
      const expired = await service.createReservationItem({ inventory_item_id: item.id, location_id: "loc_a", quantity: 2 })
      const live = await service.createReservationItem({ inventory_item_id: item.id, location_id: "loc_a", quantity: 3 })
      await db.query(`UPDATE reservation_item SET expires_at = now() - interval '1 minute' WHERE id = $1`, [expired.id])
      await db.query(`UPDATE reservation_item SET expires_at = now() + interval '1 hour' WHERE id = $1`, [live.id])

      const { stdout } = await cli("sweep", "--json")
      expect(JSON.parse(stdout)).toEqual({ released: 1, ids: [expired.id] })
      const level = await service.retrieveInventoryLevel(item.id, "loc_a")
      expect(level.reserved_quantity).toBe(3)
      const [{ count }] = await db.query(`SELECT count(*)::int AS count FROM reservation_item WHERE deleted_at IS NULL`)
      expect(count).toBe(1)
      await expect(service.retrieveReservationItem(live.id)).resolves.toMatchObject({ id: live.id, quantity: 3 })
      const [movement] = await db.query(
        `SELECT reason, stocked_delta::int, reserved_delta::int, stocked_after, reserved_after, reservation_item_id
           FROM inventory_movement ORDER BY created_at DESC, id DESC LIMIT 1`
      )
      expect(movement).toEqual({ reason: "expired", stocked_delta: 0, reserved_delta: -2, stocked_after: 10, reserved_after: 3, reservation_item_id: expired.id })
      expect(await ledgerImbalance(db)).toEqual([])

      const second = await cli("sweep")
      expect(second.stdout.trim()).toBe("Released 0 expired reservation(s).")
    },
    CLI_TIMEOUT
  )
})
