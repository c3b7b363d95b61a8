import type {
  CreateReservationItemInput,
  InventoryLevelDTO,
  ReservationItemDTO,
  UpdateInventoryLevelInput,
  UpdateReservationItemInput,
} from "@medusajs/types"
import { MedusaError } from "@medusajs/utils"
import type InventoryService from "../../src/services/inventory"
import type { InventoryMovementDTO } from "../../src/types"
import type { FilterableInventoryMovementProps, StockedQuantityAdjustment, StockMovementOptions } from "../../src/types"
import { ledgerImbalance, reservedDrift, setupTestDatabase, TestDatabase } from "../utils/database"
import { expectMedusaError, rejectionOf } from "../utils/errors"

/**
 * The stock ledger against a real PostgreSQL: the movement every write path records (I6: the
 * live levels equal the sums of their movements), listInventoryMovements, the ledger's own
 * writers (adjustStockedQuantities, setStockedQuantities) with compare-and-set and idempotency
 * keys, the stock alert events, reservation expiry and the sweeper, and the `ledger: false`
 * option. Every "nothing written" is checked by reading the tables.
 */

const ALERT_NAMES = ["inventory-level.low-stock", "inventory-level.out-of-stock", "inventory-level.back-in-stock"]

type MovementRow = InventoryMovementDTO

/** A movement's quantities and reason, the part most assertions compare. */
type Brief = Pick<MovementRow, "location_id" | "reason" | "stocked_delta" | "reserved_delta" | "stocked_after" | "reserved_after">

type WithExpiry = ReservationItemDTO & { expires_at?: Date }

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `check` every 25 ms until it holds or `timeoutMs` passes; whether it held. */
async function poll(check: () => Promise<boolean>, timeoutMs = 5000): Promise<boolean> {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    if (await check()) return true
    await sleep(25)
  }
  return await check()
}

const PAST = new Date(Date.now() - 60 * 60 * 1000)
const FUTURE = new Date(Date.now() + 24 * 60 * 60 * 1000)

describe("stock ledger", () => {
  let db: TestDatabase
  let service: InventoryService
  /** Off for the tests of `ledger: false`, whose levels have no movements by design. */
  let checkBalance = true

  beforeAll(async () => {
    db = await setupTestDatabase("mit", 20)
    service = db.service()
  })

  beforeEach(async () => {
    await db.truncate()
    checkBalance = true
  })

  afterEach(async () => {
    // Whatever a scenario did, I6 holds: every live level equals the sums of its movements,
    // and each movement's quantities after it are the running sums up to it.
    if (checkBalance) {
      expect(await ledgerImbalance(db)).toEqual([])
      expect(await brokenChains()).toEqual([])
    }
  })

  afterAll(async () => {
    await db.close()
  })

  // ------------------------------------------------------------------ helpers

  async function makeItem(title = "Item"): Promise<string> {
    return (await service.createInventoryItem({ title })).id
  }

  async function makeLevel(
    itemId: string,
    locationId: string,
    stocked: number,
    extra: Record<string, unknown> = {},
    svc: InventoryService = service
  ): Promise<InventoryLevelDTO> {
    return await svc.createInventoryLevel({ inventory_item_id: itemId, location_id: locationId, stocked_quantity: stocked, ...extra })
  }

  /** Every movement (of one item, when given), oldest first. */
  async function movements(itemId?: string): Promise<MovementRow[]> {
    return await db.query<MovementRow>(
      `SELECT id, inventory_item_id, location_id, stocked_delta::int AS stocked_delta, reserved_delta::int AS reserved_delta,
              stocked_after, reserved_after, reason, reference, actor, reservation_item_id, idempotency_key, metadata, created_at
         FROM inventory_movement ${itemId ? "WHERE inventory_item_id = $1" : ""}
        ORDER BY created_at, id`,
      itemId ? [itemId] : []
    )
  }

  async function movementCount(): Promise<number> {
    const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM inventory_movement`)
    return row.n
  }

  /** The movements `fn` recorded, oldest first. */
  async function recordedBy(fn: () => Promise<unknown>): Promise<MovementRow[]> {
    const before = new Set((await movements()).map((m) => m.id))
    await fn()
    return (await movements()).filter((m) => !before.has(m.id))
  }

  function brief(m: MovementRow): Brief {
    const { location_id, reason, stocked_delta, reserved_delta, stocked_after, reserved_after } = m
    return { location_id, reason, stocked_delta, reserved_delta, stocked_after, reserved_after }
  }

  async function levelRow(itemId: string, locationId: string): Promise<{ id: string; stocked_quantity: number; reserved_quantity: number; updated_at: Date } | undefined> {
    const [row] = await db.query(
      `SELECT id, stocked_quantity, reserved_quantity, updated_at FROM inventory_level
        WHERE inventory_item_id = $1 AND location_id = $2 AND deleted_at IS NULL`,
      [itemId, locationId]
    )
    return row
  }

  async function quantities(itemId: string, locationId: string): Promise<[number, number] | undefined> {
    const row = await levelRow(itemId, locationId)
    return row && [row.stocked_quantity, row.reserved_quantity]
  }

  async function keyCount(): Promise<number> {
    const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM inventory_idempotency_key`)
    return row.n
  }

  async function isLive(reservationId: string): Promise<boolean> {
    const [row] = await db.query<{ live: boolean }>(`SELECT deleted_at IS NULL AS live FROM reservation_item WHERE id = $1`, [reservationId])
    return row.live
  }

  function alerts(): { name: string; data: any }[] {
    return db.eventBus.events.filter((e) => ALERT_NAMES.includes(e.name))
  }

  function eventsNamed(name: string): any[] {
    return db.eventBus.events.filter((e) => e.name === name).map((e) => e.data)
  }

  async function expectBalanced(): Promise<void> {
    expect(await ledgerImbalance(db)).toEqual([])
  }

  /**
   * Movements whose stocked_after / reserved_after differ from the running sums of their
   * (item, location)'s deltas, oldest first.
   */
  async function brokenChains(): Promise<Record<string, unknown>[]> {
    return await db.query(
      `SELECT * FROM (
         SELECT id, inventory_item_id, location_id, reason, stocked_after, reserved_after,
                (sum(stocked_delta) OVER w)::int AS running_stocked, (sum(reserved_delta) OVER w)::int AS running_reserved
           FROM inventory_movement
         WINDOW w AS (PARTITION BY inventory_item_id, location_id ORDER BY created_at, id ROWS UNBOUNDED PRECEDING)
       ) x
       WHERE running_stocked <> stocked_after OR running_reserved <> reserved_after`
    )
  }

  /** Every live level's reserved quantity is the sum of its live reservations. */
  async function expectNoDrift(): Promise<void> {
    expect(await reservedDrift(db)).toEqual([])
  }

  function reserve(input: Record<string, unknown>, svc: InventoryService = service): Promise<WithExpiry> {
    return svc.createReservationItem(input as unknown as CreateReservationItemInput) as Promise<WithExpiry>
  }

  // ------------------------------------------------------------------ 1. every write path

  describe("movements of every write path", () => {
    it("createInventoryLevel records level_created with the level's quantities; a level of 0/0 records nothing", async () => {
      const itemId = await makeItem()
      const created = await recordedBy(() => makeLevel(itemId, "loc_1", 10))
      expect(created).toHaveLength(1)
      expect(created[0]).toMatchObject({
        inventory_item_id: itemId,
        location_id: "loc_1",
        reason: "level_created",
        stocked_delta: 10,
        reserved_delta: 0,
        stocked_after: 10,
        reserved_after: 0,
        reference: null,
        actor: null,
        reservation_item_id: null,
        idempotency_key: null,
        metadata: null,
      })
      expect(created[0].id).toMatch(/^imov_[0-9A-Z]{26}$/)
      expect(created[0].created_at).toBeInstanceOf(Date)

      const withReserved = await recordedBy(() => makeLevel(itemId, "loc_2", 8, { reserved_quantity: 2 }))
      expect(withReserved.map(brief)).toEqual([
        { location_id: "loc_2", reason: "level_created", stocked_delta: 8, reserved_delta: 2, stocked_after: 8, reserved_after: 2 },
      ])

      expect(await recordedBy(() => makeLevel(itemId, "loc_3", 0))).toEqual([])
      await expectBalanced()
    })

    it("createInventoryLevels records one level_created per level", async () => {
      const itemId = await makeItem()
      const other = await makeItem("Other")
      const recorded = await recordedBy(() =>
        service.createInventoryLevels([
          { inventory_item_id: itemId, location_id: "loc_1", stocked_quantity: 4 },
          { inventory_item_id: other, location_id: "loc_1", stocked_quantity: 6, reserved_quantity: 1 },
        ])
      )
      expect(recorded.map((m) => [m.inventory_item_id, m.reason, m.stocked_delta, m.reserved_delta, m.stocked_after, m.reserved_after]).sort()).toEqual(
        [
          [itemId, "level_created", 4, 0, 4, 0],
          [other, "level_created", 6, 1, 6, 1],
        ].sort()
      )
      await expectBalanced()
    })

    it("a level created again over live reservations records the recount of its reserved quantity", async () => {
      const itemId = await makeItem()
      await makeLevel(itemId, "loc_1", 10)
      await reserve({ inventory_item_id: itemId, location_id: "loc_1", quantity: 3, line_item_id: "li_1" })
      await service.deleteInventoryLevel(itemId, "loc_1")
      await expectBalanced()

      let level!: InventoryLevelDTO
      const recorded = await recordedBy(async () => {
        level = await makeLevel(itemId, "loc_1", 7)
      })
      expect(level.reserved_quantity).toBe(3)
      expect(recorded.map(brief)).toEqual([
        { location_id: "loc_1", reason: "level_created", stocked_delta: 7, reserved_delta: 0, stocked_after: 7, reserved_after: 0 },
        { location_id: "loc_1", reason: "level_created", stocked_delta: 0, reserved_delta: 3, stocked_after: 7, reserved_after: 3 },
      ])
      expect(await quantities(itemId, "loc_1")).toEqual([7, 3])
      await expectBalanced()
      await expectNoDrift()
    })

    it("updateInventoryLevel records a correction of what changed and nothing when nothing changes", async () => {
      const itemId = await makeItem()
      await makeLevel(itemId, "loc_1", 10)

      const stocked = await recordedBy(() => service.updateInventoryLevel(itemId, "loc_1", { stocked_quantity: 15 }))
      expect(stocked.map(brief)).toEqual([
        { location_id: "loc_1", reason: "correction", stocked_delta: 5, reserved_delta: 0, stocked_after: 15, reserved_after: 0 },
      ])

      const both = await recordedBy(() => service.updateInventoryLevel(itemId, "loc_1", { stocked_quantity: 12, reserved_quantity: 2 } as UpdateInventoryLevelInput))
      expect(both.map(brief)).toEqual([
        { location_id: "loc_1", reason: "correction", stocked_delta: -3, reserved_delta: 2, stocked_after: 12, reserved_after: 2 },
      ])
      // The hand-set reserved quantity back to what the reservations say (none).
      await service.updateInventoryLevel(itemId, "loc_1", { reserved_quantity: 0 } as UpdateInventoryLevelInput)

      expect(await recordedBy(() => service.updateInventoryLevel(itemId, "loc_1", { stocked_quantity: 12 }))).toEqual([])
      // incoming_quantity moves through the ledger too (I6 covers it): a correction of it alone.
      const incoming = await recordedBy(() => service.updateInventoryLevel(itemId, "loc_1", { incoming_quantity: 40, metadata: { shelf: "B" } } as UpdateInventoryLevelInput))
      expect(incoming.map(brief)).toEqual([
        { location_id: "loc_1", reason: "correction", stocked_delta: 0, reserved_delta: 0, stocked_after: 12, reserved_after: 0 },
      ])
      const [{ incoming_delta }] = await db.query(`SELECT incoming_delta::int FROM inventory_movement WHERE id = $1`, [incoming[0].id])
      expect(incoming_delta).toBe(40)
      expect(await recordedBy(() => service.updateInventoryLevel(itemId, "loc_1", { metadata: { shelf: "C" } } as UpdateInventoryLevelInput))).toEqual([])
      expect(await recordedBy(() => service.updateInventoryLevel(itemId, "loc_1", {}))).toEqual([])
      expect(await quantities(itemId, "loc_1")).toEqual([12, 0])
      await expectBalanced()
    })

    it("updateInventoryLevels records a correction per changed level only", async () => {
      const itemId = await makeItem()
      await makeLevel(itemId, "loc_1", 10)
      await makeLevel(itemId, "loc_2", 5)
      const recorded = await recordedBy(() =>
        service.updateInventoryLevels([
          { inventory_item_id: itemId, location_id: "loc_1", stocked_quantity: 10 },
          { inventory_item_id: itemId, location_id: "loc_2", stocked_quantity: 1 },
        ])
      )
      expect(recorded.map(brief)).toEqual([
        { location_id: "loc_2", reason: "correction", stocked_delta: -4, reserved_delta: 0, stocked_after: 1, reserved_after: 0 },
      ])
      await expectBalanced()
    })

    it("deleteInventoryLevel records level_deleted taking the level to 0/0; deleting no level records nothing", async () => {
      const itemId = await makeItem()
      await makeLevel(itemId, "loc_1", 10)
      await reserve({ inventory_item_id: itemId, location_id: "loc_1", quantity: 3 })

      const recorded = await recordedBy(() => service.deleteInventoryLevel(itemId, "loc_1"))
      expect(recorded.map(brief)).toEqual([
        { location_id: "loc_1", reason: "level_deleted", stocked_delta: -10, reserved_delta: -3, stocked_after: 0, reserved_after: 0 },
      ])
      expect(await recordedBy(() => service.deleteInventoryLevel(itemId, "loc_1"))).toEqual([])
      expect(await recordedBy(() => service.deleteInventoryLevel(itemId, "loc_nowhere"))).toEqual([])
      await expectBalanced()
    })

    it("deleteInventoryItemLevelByLocationId records level_deleted for each level at the locations", async () => {
      const a = await makeItem("A")
      const b = await makeItem("B")
      await makeLevel(a, "loc_x", 4)
      await makeLevel(b, "loc_x", 6)
      await makeLevel(a, "loc_y", 9)

      const recorded = await recordedBy(() => service.deleteInventoryItemLevelByLocationId("loc_x"))
      expect(recorded.map((m) => [m.inventory_item_id, m.location_id, m.reason, m.stocked_delta, m.reserved_delta, m.stocked_after, m.reserved_after]).sort()).toEqual(
        [
          [a, "loc_x", "level_deleted", -4, 0, 0, 0],
          [b, "loc_x", "level_deleted", -6, 0, 0, 0],
        ].sort()
      )
      expect(await quantities(a, "loc_y")).toEqual([9, 0])

      const array = await recordedBy(() => service.deleteInventoryItemLevelByLocationId(["loc_y", "loc_z"]))
      expect(array.map(brief)).toEqual([
        { location_id: "loc_y", reason: "level_deleted", stocked_delta: -9, reserved_delta: 0, stocked_after: 0, reserved_after: 0 },
      ])
      await expectBalanced()
    })

    it("adjustInventory records an adjustment; a delta of 0 records nothing", async () => {
      const itemId = await makeItem()
      await makeLevel(itemId, "loc_1", 10)
      await reserve({ inventory_item_id: itemId, location_id: "loc_1", quantity: 2 })

      const up = await recordedBy(() => service.adjustInventory(itemId, "loc_1", 5))
      expect(up.map(brief)).toEqual([
        { location_id: "loc_1", reason: "adjustment", stocked_delta: 5, reserved_delta: 0, stocked_after: 15, reserved_after: 2 },
      ])
      const down = await recordedBy(() => service.adjustInventory(itemId, "loc_1", -20))
      expect(down.map(brief)).toEqual([
        { location_id: "loc_1", reason: "adjustment", stocked_delta: -20, reserved_delta: 0, stocked_after: -5, reserved_after: 2 },
      ])
      let level!: InventoryLevelDTO
      expect(
        await recordedBy(async () => {
          level = await service.adjustInventory(itemId, "loc_1", 0)
        })
      ).toEqual([])
      expect(level.stocked_quantity).toBe(-5)
      await expectBalanced()
    })

    it("createReservationItem records a reservation with its id, line item as reference and creator as actor", async () => {
      const itemId = await makeItem()
      await makeLevel(itemId, "loc_1", 10)
      let reservation!: ReservationItemDTO
      const recorded = await recordedBy(async () => {
        reservation = await reserve({ inventory_item_id: itemId, location_id: "loc_1", quantity: 4, line_item_id: "li_1", created_by: "user_7" })
      })
      expect(recorded).toHaveLength(1)
      expect(recorded[0]).toMatchObject({
        inventory_item_id: itemId,
        location_id: "loc_1",
        reason: "reservation",
        stocked_delta: 0,
        reserved_delta: 4,
        stocked_after: 10,
        reserved_after: 4,
        reference: "li_1",
        actor: "user_7",
        reservation_item_id: reservation.id,
      })

      const bare = await recordedBy(() => reserve({ inventory_item_id: itemId, location_id: "loc_1", quantity: 1 }))
      expect(bare[0]).toMatchObject({ reason: "reservation", reserved_delta: 1, reserved_after: 5, reference: null, actor: null })
      await expectBalanced()
    })

    it("createReservationItems records one reservation each, with a running reserved_after per level", async () => {
      const itemId = await makeItem()
      await makeLevel(itemId, "loc_1", 10, { reserved_quantity: 0 })
      await makeLevel(itemId, "loc_2", 10)
      await reserve({ inventory_item_id: itemId, location_id: "loc_1", quantity: 1 })

      let created!: ReservationItemDTO[]
      const recorded = await recordedBy(async () => {
        created = await service.createReservationItems([
          { inventory_item_id: itemId, location_id: "loc_1", quantity: 2, line_item_id: "li_a", created_by: "sys" },
          { inventory_item_id: itemId, location_id: "loc_2", quantity: 4, line_item_id: "li_b" },
          { inventory_item_id: itemId, location_id: "loc_1", quantity: 3, line_item_id: "li_c" },
        ])
      })
      expect(recorded).toHaveLength(3)
      const byReservation = (id: string) => recorded.find((m) => m.reservation_item_id === id)
      expect(byReservation(created[0].id)).toMatchObject({
        location_id: "loc_1",
        reason: "reservation",
        reserved_delta: 2,
        reserved_after: 3,
        stocked_after: 10,
        reference: "li_a",
        actor: "sys",
      })
      expect(byReservation(created[1].id)).toMatchObject({ location_id: "loc_2", reason: "reservation", reserved_delta: 4, reserved_after: 4, reference: "li_b", actor: null })
      expect(byReservation(created[2].id)).toMatchObject({ location_id: "loc_1", reason: "reservation", reserved_delta: 3, reserved_after: 6, reference: "li_c" })
      expect(await quantities(itemId, "loc_1")).toEqual([10, 6])
      await expectBalanced()
    })

    it("updateReservationItem records the change of quantity, and a move as a release at the old and a reservation at the new location", async () => {
      const itemId = await makeItem()
      await makeLevel(itemId, "loc_1", 10)
      await makeLevel(itemId, "loc_2", 10)
      const r = await reserve({ inventory_item_id: itemId, location_id: "loc_1", quantity: 3, line_item_id: "li_1" })

      const more = await recordedBy(() => service.updateReservationItem(r.id, { quantity: 5 }))
      expect(more.map(brief)).toEqual([
        { location_id: "loc_1", reason: "reservation", stocked_delta: 0, reserved_delta: 2, stocked_after: 10, reserved_after: 5 },
      ])
      expect(more[0]).toMatchObject({ reservation_item_id: r.id, reference: "li_1" })

      const less = await recordedBy(() => service.updateReservationItem(r.id, { quantity: 1 }))
      expect(less.map(brief)).toEqual([
        { location_id: "loc_1", reason: "release", stocked_delta: 0, reserved_delta: -4, stocked_after: 10, reserved_after: 1 },
      ])

      const moved = await recordedBy(() => service.updateReservationItem(r.id, { location_id: "loc_2", quantity: 2 }))
      expect(moved.map(brief).sort((x, y) => x.location_id.localeCompare(y.location_id))).toEqual([
        { location_id: "loc_1", reason: "release", stocked_delta: 0, reserved_delta: -1, stocked_after: 10, reserved_after: 0 },
        { location_id: "loc_2", reason: "reservation", stocked_delta: 0, reserved_delta: 2, stocked_after: 10, reserved_after: 2 },
      ])
      for (const m of moved) expect(m).toMatchObject({ reservation_item_id: r.id, reference: "li_1" })

      expect(await recordedBy(() => service.updateReservationItem(r.id, { description: "only text" }))).toEqual([])
      expect(await recordedBy(() => service.updateReservationItem(r.id, { quantity: 2 }))).toEqual([])
      await expectBalanced()
    })

    it("deleteReservationItem records a release per reservation", async () => {
      const itemId = await makeItem()
      await makeLevel(itemId, "loc_1", 10)
      const r1 = await reserve({ inventory_item_id: itemId, location_id: "loc_1", quantity: 2, line_item_id: "li_1" })
      const r2 = await reserve({ inventory_item_id: itemId, location_id: "loc_1", quantity: 3 })
      const r3 = await reserve({ inventory_item_id: itemId, location_id: "loc_1", quantity: 4 })

      const one = await recordedBy(() => service.deleteReservationItem(r1.id))
      expect(one.map(brief)).toEqual([
        { location_id: "loc_1", reason: "release", stocked_delta: 0, reserved_delta: -2, stocked_after: 10, reserved_after: 7 },
      ])
      expect(one[0]).toMatchObject({ reservation_item_id: r1.id, reference: "li_1" })

      const two = await recordedBy(() => service.deleteReservationItem([r2.id, r3.id]))
      expect(two.map((m) => [m.reservation_item_id, m.reason, m.reserved_delta]).sort()).toEqual(
        [
          [r2.id, "release", -3],
          [r3.id, "release", -4],
        ].sort()
      )
      // The running quantity: one of them leaves 4 (or 3), the other 0.
      expect(two.map((m) => m.reserved_after).sort()).toEqual([0, r2.id < r3.id ? 4 : 3].sort())
      expect(await recordedBy(() => service.deleteReservationItem(r1.id))).toEqual([])
      await expectBalanced()
    })

    it("deleteReservationItemsByLineItem records a release per reservation of the line items", async () => {
      const itemId = await makeItem()
      await makeLevel(itemId, "loc_1", 10)
      await makeLevel(itemId, "loc_2", 10)
      const a = await reserve({ inventory_item_id: itemId, location_id: "loc_1", quantity: 1, line_item_id: "li_1" })
      const b = await reserve({ inventory_item_id: itemId, location_id: "loc_2", quantity: 2, line_item_id: "li_1" })
      const c = await reserve({ inventory_item_id: itemId, location_id: "loc_1", quantity: 3, line_item_id: "li_2" })
      const kept = await reserve({ inventory_item_id: itemId, location_id: "loc_1", quantity: 4, line_item_id: "li_3" })

      const recorded = await recordedBy(() => service.deleteReservationItemsByLineItem(["li_1", "li_2"]))
      expect(recorded.map((m) => [m.reservation_item_id, m.location_id, m.reason, m.reserved_delta, m.reference]).sort()).toEqual(
        [
          [a.id, "loc_1", "release", -1, "li_1"],
          [b.id, "loc_2", "release", -2, "li_1"],
          [c.id, "loc_1", "release", -3, "li_2"],
        ].sort()
      )
      expect(recorded.find((m) => m.reservation_item_id === b.id)?.reserved_after).toBe(0)
      expect(await quantities(itemId, "loc_1")).toEqual([10, 4])
      expect(await isLive(kept.id)).toBe(true)
      await expectBalanced()
    })

    it("deleteReservationItemByLocationId records a release per reservation at the locations", async () => {
      const itemId = await makeItem()
      await makeLevel(itemId, "loc_1", 10)
      await makeLevel(itemId, "loc_2", 10)
      const a = await reserve({ inventory_item_id: itemId, location_id: "loc_1", quantity: 1 })
      const b = await reserve({ inventory_item_id: itemId, location_id: "loc_1", quantity: 2 })
      await reserve({ inventory_item_id: itemId, location_id: "loc_2", quantity: 5 })

      const recorded = await recordedBy(() => service.deleteReservationItemByLocationId("loc_1"))
      expect(recorded.map((m) => [m.reservation_item_id, m.location_id, m.reason, m.reserved_delta]).sort()).toEqual(
        [
          [a.id, "loc_1", "release", -1],
          [b.id, "loc_1", "release", -2],
        ].sort()
      )
      expect(await quantities(itemId, "loc_1")).toEqual([10, 0])
      expect(await quantities(itemId, "loc_2")).toEqual([10, 5])
      await expectBalanced()
      await expectNoDrift()
    })

    it("deleteInventoryItem records level_deleted per level; restoreInventoryItem records level_restored", async () => {
      const itemId = await makeItem()
      await makeLevel(itemId, "loc_1", 10)
      await makeLevel(itemId, "loc_2", 6)
      await reserve({ inventory_item_id: itemId, location_id: "loc_1", quantity: 3 })

      const deleted = await recordedBy(() => service.deleteInventoryItem(itemId))
      expect(deleted.map(brief).sort((x, y) => x.location_id.localeCompare(y.location_id))).toEqual([
        { location_id: "loc_1", reason: "level_deleted", stocked_delta: -10, reserved_delta: -3, stocked_after: 0, reserved_after: 0 },
        { location_id: "loc_2", reason: "level_deleted", stocked_delta: -6, reserved_delta: 0, stocked_after: 0, reserved_after: 0 },
      ])
      await expectBalanced()

      const restored = await recordedBy(() => service.restoreInventoryItem(itemId))
      expect(restored.map(brief).sort((x, y) => x.location_id.localeCompare(y.location_id))).toEqual([
        { location_id: "loc_1", reason: "level_restored", stocked_delta: 10, reserved_delta: 3, stocked_after: 10, reserved_after: 3 },
        { location_id: "loc_2", reason: "level_restored", stocked_delta: 6, reserved_delta: 0, stocked_after: 6, reserved_after: 0 },
      ])
      expect(await quantities(itemId, "loc_1")).toEqual([10, 3])
      await expectBalanced()
    })

    it("restoreInventoryItem records the recount of reservations released while the item was deleted", async () => {
      const itemId = await makeItem()
      await makeLevel(itemId, "loc_1", 10)
      const r = await reserve({ inventory_item_id: itemId, location_id: "loc_1", quantity: 3 })
      await service.deleteInventoryItem(itemId)
      // No live level to release from: no movement.
      expect(await recordedBy(() => service.deleteReservationItem(r.id))).toEqual([])

      const restored = await recordedBy(() => service.restoreInventoryItem(itemId))
      expect(restored.map(brief)).toEqual([
        { location_id: "loc_1", reason: "level_restored", stocked_delta: 10, reserved_delta: 3, stocked_after: 10, reserved_after: 3 },
        { location_id: "loc_1", reason: "level_restored", stocked_delta: 0, reserved_delta: -3, stocked_after: 10, reserved_after: 0 },
      ])
      expect(await quantities(itemId, "loc_1")).toEqual([10, 0])
      await expectBalanced()
      await expectNoDrift()
    })
  })

  // ------------------------------------------------------------------ 2. listInventoryMovements

  describe("listInventoryMovements", () => {
    let a: string
    let b: string
    /** Between the creates and the adjustment, and between the adjustment and the reservation. */
    let t1: Date
    let t2: Date

    beforeEach(async () => {
      a = await makeItem("A")
      b = await makeItem("B")
      await service.createInventoryLevels([
        { inventory_item_id: a, location_id: "loc_1", stocked_quantity: 10 },
        { inventory_item_id: a, location_id: "loc_2", stocked_quantity: 5 },
        { inventory_item_id: b, location_id: "loc_1", stocked_quantity: 3 },
      ])
      await sleep(20)
      t1 = new Date()
      await sleep(20)
      await service.adjustStockedQuantities([{ inventory_item_id: a, location_id: "loc_1", delta: 2 }], {
        reason: "receipt",
        reference: "po_1",
        idempotency_key: "k1",
      })
      await sleep(20)
      t2 = new Date()
      await sleep(20)
      await reserve({ inventory_item_id: a, location_id: "loc_2", quantity: 1, line_item_id: "li_9" })
    })

    async function reasonsOf(selector: FilterableInventoryMovementProps | undefined, config?: Record<string, unknown>): Promise<[string[], number]> {
      const [rows, count] = await service.listInventoryMovements(selector as FilterableInventoryMovementProps, config as never)
      return [rows.map((r) => `${r.reason}@${r.location_id}`), count]
    }

    it("lists newest first by default, with numbers and dates", async () => {
      const [rows, count] = await service.listInventoryMovements()
      expect(count).toBe(5)
      expect(rows).toHaveLength(5)
      expect(rows[0]).toMatchObject({ reason: "reservation", reference: "li_9", reserved_delta: 1, stocked_delta: 0 })
      expect(rows[1]).toMatchObject({ reason: "receipt", reference: "po_1", stocked_delta: 2, stocked_after: 12, idempotency_key: "k1" })
      expect(rows.slice(2).map((r) => r.reason)).toEqual(["level_created", "level_created", "level_created"])
      for (const row of rows) {
        expect(typeof row.stocked_delta).toBe("number")
        expect(typeof row.reserved_delta).toBe("number")
        expect(row.created_at).toBeInstanceOf(Date)
      }
      for (let i = 1; i < rows.length; i++) {
        expect(rows[i - 1].created_at.getTime()).toBeGreaterThanOrEqual(rows[i].created_at.getTime())
      }
      // The same rows as the table holds.
      expect(rows.map((r) => r.id).sort()).toEqual((await movements()).map((m) => m.id).sort())
    })

    it("accepts an undefined selector and config", async () => {
      expect((await service.listInventoryMovements(undefined, undefined))[1]).toBe(5)
      const [rows, count] = await service.listInventoryMovements(undefined, { take: 2 })
      expect(rows.map((r) => r.reason)).toEqual(["reservation", "receipt"])
      expect(count).toBe(5)
      expect((await service.listInventoryMovements({}))[1]).toBe(5)
    })

    it("filters by inventory_item_id and location_id, as a string or an array", async () => {
      const [ofA, countA] = await reasonsOf({ inventory_item_id: a })
      expect(countA).toBe(4)
      expect(ofA).toEqual(["reservation@loc_2", "receipt@loc_1", expect.any(String), expect.any(String)])
      expect((await reasonsOf({ inventory_item_id: b }))[0]).toEqual(["level_created@loc_1"])
      expect((await reasonsOf({ inventory_item_id: [a, b] }))[1]).toBe(5)
      expect((await reasonsOf({ inventory_item_id: ["iitem_none"] }))[1]).toBe(0)

      expect((await reasonsOf({ location_id: "loc_2" }))[0]).toEqual(["reservation@loc_2", "level_created@loc_2"])
      expect((await reasonsOf({ location_id: ["loc_1"] }))[1]).toBe(3)
      expect((await reasonsOf({ location_id: ["loc_1", "loc_2"] }))[1]).toBe(5)
      expect((await reasonsOf({ inventory_item_id: a, location_id: "loc_1" }))[0]).toEqual(["receipt@loc_1", "level_created@loc_1"])
    })

    it("filters by reason, reference and idempotency_key", async () => {
      expect((await reasonsOf({ reason: "level_created" }))[1]).toBe(3)
      expect((await reasonsOf({ reason: "receipt" }))[0]).toEqual(["receipt@loc_1"])
      expect((await reasonsOf({ reason: ["receipt", "reservation"] }))[0]).toEqual(["reservation@loc_2", "receipt@loc_1"])
      expect((await reasonsOf({ reason: "adjustment" }))[1]).toBe(0)
      expect((await reasonsOf({ reference: "po_1" }))[0]).toEqual(["receipt@loc_1"])
      expect((await reasonsOf({ reference: ["li_9", "po_1"] }))[1]).toBe(2)
      expect((await reasonsOf({ idempotency_key: "k1" }))[0]).toEqual(["receipt@loc_1"])
      expect((await reasonsOf({ idempotency_key: "k2" }))[1]).toBe(0)
    })

    it("filters by created_at with gt, gte, lt and lte", async () => {
      expect((await reasonsOf({ created_at: { gt: t1 } }))[0]).toEqual(["reservation@loc_2", "receipt@loc_1"])
      expect((await reasonsOf({ created_at: { gte: t1 } }))[1]).toBe(2)
      const [early, earlyCount] = await reasonsOf({ created_at: { lt: t1 } })
      expect(early.sort()).toEqual(["level_created@loc_1", "level_created@loc_1", "level_created@loc_2"])
      expect(earlyCount).toBe(3)
      expect((await reasonsOf({ created_at: { lte: t2 } }))[1]).toBe(4)
      expect((await reasonsOf({ created_at: { gt: t1, lt: t2 } }))[0]).toEqual(["receipt@loc_1"])
      expect((await reasonsOf({ created_at: { gte: t1.toISOString(), lte: t2.toISOString() } }))[0]).toEqual(["receipt@loc_1"])
      expect((await reasonsOf({ created_at: { gt: new Date(Date.now() + 60_000) } }))[1]).toBe(0)
    })

    it("pages with skip and take, counting every match", async () => {
      const [all] = await service.listInventoryMovements({}, { take: 100 })
      const ids = all.map((r) => r.id)
      const page = async (skip: number, take: number) => {
        const [rows, count] = await service.listInventoryMovements({}, { skip, take })
        return [rows.map((r) => r.id), count]
      }
      expect(await page(0, 2)).toEqual([ids.slice(0, 2), 5])
      expect(await page(2, 2)).toEqual([ids.slice(2, 4), 5])
      expect(await page(4, 2)).toEqual([ids.slice(4), 5])
      expect(await page(10, 2)).toEqual([[], 5])
      const [oldest] = await service.listInventoryMovements({}, { order: { created_at: "ASC" }, take: 1 })
      expect(oldest[0].reason).toBe("level_created")
    })

    it("filters by reservation_item_id, actor and id too", async () => {
      const [[reservationMove]] = await service.listInventoryMovements({ reason: "reservation" })
      expect(reservationMove.reservation_item_id).toMatch(/^resitem_/)
      const byReservation = await service.listInventoryMovements({ reservation_item_id: reservationMove.reservation_item_id } as FilterableInventoryMovementProps)
      expect(byReservation[0].map((r) => r.id)).toEqual([reservationMove.id])
      expect((await service.listInventoryMovements({ id: reservationMove.id } as FilterableInventoryMovementProps))[1]).toBe(1)
      await service.adjustStockedQuantities([{ inventory_item_id: b, location_id: "loc_1", delta: 1 }], { actor: "clerk_1" })
      const [byActor, count] = await service.listInventoryMovements({ actor: "clerk_1" } as FilterableInventoryMovementProps)
      expect(count).toBe(1)
      expect(byActor[0]).toMatchObject({ inventory_item_id: b, actor: "clerk_1", stocked_delta: 1 })
    })

    it("refuses an unknown filter with INVALID_DATA naming it", async () => {
      await expectMedusaError(service.listInventoryMovements({ sku: "x" } as never), MedusaError.Types.INVALID_DATA, {
        contains: `Unknown filter "sku"`,
      })
      await expectMedusaError(service.listInventoryMovements({ quantity: 1 } as never), MedusaError.Types.INVALID_DATA, {
        contains: `"quantity"`,
      })
    })
  })

  // ------------------------------------------------------------------ 3. caller transactions

  describe("in a caller's transaction", () => {
    it("a transaction that rolls back leaves no movement (dataSource.transaction)", async () => {
      const itemId = await makeItem()
      await makeLevel(itemId, "loc_1", 10)
      const count = await movementCount()
      const rollback = new Error("caller rolls back")
      const error = await rejectionOf(
        db.dataSource.manager.transaction(async (transactionManager) => {
          await service.adjustStockedQuantities([{ inventory_item_id: itemId, location_id: "loc_1", delta: 5 }], {}, { transactionManager })
          await service.adjustInventory(itemId, "loc_1", -2, { transactionManager })
          await service.createReservationItem({ inventory_item_id: itemId, location_id: "loc_1", quantity: 4 }, { transactionManager })
          await service.createInventoryLevel({ inventory_item_id: itemId, location_id: "loc_2", stocked_quantity: 3 }, { transactionManager })
          const [inside] = await transactionManager.query(`SELECT count(*)::int AS n FROM inventory_movement`)
          expect(inside.n).toBe(count + 4)
          throw rollback
        })
      )
      expect(error).toBe(rollback)
      expect(await movementCount()).toBe(count)
      expect(await quantities(itemId, "loc_1")).toEqual([10, 0])
      expect(await quantities(itemId, "loc_2")).toBeUndefined()
      await expectBalanced()
    })

    it("a transaction that rolls back leaves no movement (queryRunner)", async () => {
      const itemId = await makeItem()
      await makeLevel(itemId, "loc_1", 10)
      const count = await movementCount()
      const runner = db.dataSource.createQueryRunner()
      await runner.connect()
      try {
        await runner.startTransaction()
        await service.setStockedQuantities([{ inventory_item_id: itemId, location_id: "loc_1", quantity: 1 }], {}, { transactionManager: runner.manager })
        await service.updateInventoryLevel(itemId, "loc_1", { stocked_quantity: 2 }, { transactionManager: runner.manager })
        await runner.rollbackTransaction()
      } finally {
        await runner.release()
      }
      expect(await movementCount()).toBe(count)
      expect(await quantities(itemId, "loc_1")).toEqual([10, 0])
      await expectBalanced()
    })

    it("a transaction that commits keeps its movements", async () => {
      const itemId = await makeItem()
      await makeLevel(itemId, "loc_1", 10)
      const recorded = await recordedBy(() =>
        db.dataSource.manager.transaction(async (transactionManager) => {
          await service.adjustStockedQuantities([{ inventory_item_id: itemId, location_id: "loc_1", delta: 5 }], { reason: "receipt" }, { transactionManager })
          await service.createReservationItem({ inventory_item_id: itemId, location_id: "loc_1", quantity: 4 }, { transactionManager })
        })
      )
      expect(recorded.map(brief)).toEqual([
        { location_id: "loc_1", reason: "receipt", stocked_delta: 5, reserved_delta: 0, stocked_after: 15, reserved_after: 0 },
        { location_id: "loc_1", reason: "reservation", stocked_delta: 0, reserved_delta: 4, stocked_after: 15, reserved_after: 4 },
      ])
      expect(await quantities(itemId, "loc_1")).toEqual([15, 4])
      await expectBalanced()
    })
  })

  // ------------------------------------------------------------------ 4. adjustStockedQuantities

  describe("adjustStockedQuantities", () => {
    let a: string
    let b: string

    beforeEach(async () => {
      a = await makeItem("A")
      b = await makeItem("B")
      await makeLevel(a, "loc_1", 10)
      await makeLevel(a, "loc_2", 5)
      await makeLevel(b, "loc_1", 3)
      db.eventBus.clear()
    })

    it("adjusts, returns the levels in input order and records the options on each movement", async () => {
      const options: StockMovementOptions = { reason: "cycle_count", reference: "doc_1", actor: "user_1", metadata: { batch: 7 }, idempotency_key: "adj-1" }
      let levels!: InventoryLevelDTO[]
      const recorded = await recordedBy(async () => {
        levels = await service.adjustStockedQuantities(
          [
            { inventory_item_id: b, location_id: "loc_1", delta: 1 },
            { inventory_item_id: a, location_id: "loc_1", delta: 2 },
            { inventory_item_id: a, location_id: "loc_2", delta: -1 },
          ],
          options
        )
      })
      expect(levels.map((l) => [l.inventory_item_id, l.location_id, l.stocked_quantity])).toEqual([
        [b, "loc_1", 4],
        [a, "loc_1", 12],
        [a, "loc_2", 4],
      ])
      expect(levels[0].updated_at).toBeInstanceOf(Date)
      expect(await quantities(a, "loc_1")).toEqual([12, 0])
      expect(recorded).toHaveLength(3)
      for (const m of recorded) {
        expect(m).toMatchObject({ reason: "cycle_count", reference: "doc_1", actor: "user_1", metadata: { batch: 7 }, idempotency_key: "adj-1", reserved_delta: 0 })
      }
      expect(recorded.map((m) => [m.inventory_item_id, m.location_id, m.stocked_delta, m.stocked_after]).sort()).toEqual(
        [
          [b, "loc_1", 1, 4],
          [a, "loc_1", 2, 12],
          [a, "loc_2", -1, 4],
        ].sort()
      )
      expect(eventsNamed("inventory-level.updated").map((e) => e.id).sort()).toEqual(levels.map((l) => l.id).sort())
    })

    it("records reason adjustment and no note by default; a delta of 0 records nothing", async () => {
      const recorded = await recordedBy(() =>
        service.adjustStockedQuantities([
          { inventory_item_id: a, location_id: "loc_1", delta: 3 },
          { inventory_item_id: a, location_id: "loc_2", delta: 0 },
        ])
      )
      expect(recorded).toHaveLength(1)
      expect(recorded[0]).toMatchObject({
        location_id: "loc_1",
        reason: "adjustment",
        stocked_delta: 3,
        reference: null,
        actor: null,
        metadata: null,
        idempotency_key: null,
      })
      expect(eventsNamed("inventory-level.updated")).toHaveLength(1)
      expect(await service.adjustStockedQuantities([])).toEqual([])
    })

    it("writes nothing when one level is missing: NOT_FOUND naming it", async () => {
      const count = await movementCount()
      await expectMedusaError(
        service.adjustStockedQuantities([
          { inventory_item_id: a, location_id: "loc_1", delta: 1 },
          { inventory_item_id: a, location_id: "loc_missing", delta: 1 },
        ], { idempotency_key: "missing-1" }),
        MedusaError.Types.NOT_FOUND,
        { exact: `Item ${a} is not stocked at location loc_missing` }
      )
      expect(await quantities(a, "loc_1")).toEqual([10, 0])
      expect(await movementCount()).toBe(count)
      expect(await keyCount()).toBe(0)
      expect(db.eventBus.events).toEqual([])
    })

    it("adds up repeated entries of one level: one movement, one level per entry", async () => {
      let levels!: InventoryLevelDTO[]
      const recorded = await recordedBy(async () => {
        levels = await service.adjustStockedQuantities([
          { inventory_item_id: a, location_id: "loc_1", delta: 2 },
          { inventory_item_id: a, location_id: "loc_2", delta: 1 },
          { inventory_item_id: a, location_id: "loc_1", delta: 3 },
        ])
      })
      expect(await quantities(a, "loc_1")).toEqual([15, 0])
      expect(recorded.map(brief).sort((x, y) => x.location_id.localeCompare(y.location_id))).toEqual([
        { location_id: "loc_1", reason: "adjustment", stocked_delta: 5, reserved_delta: 0, stocked_after: 15, reserved_after: 0 },
        { location_id: "loc_2", reason: "adjustment", stocked_delta: 1, reserved_delta: 0, stocked_after: 6, reserved_after: 0 },
      ])
      // As updateInventoryLevels: one level per entry, in input order, each as it is after the call.
      expect(levels.map((l) => [l.location_id, l.stocked_quantity])).toEqual([
        ["loc_1", 15],
        ["loc_2", 6],
        ["loc_1", 15],
      ])
    })

    const item = "ITEM"
    const badInputs: [string, () => [unknown, unknown], string][] = [
      ["changes not an array", () => [{ inventory_item_id: item }, {}], `"changes" must be an array`],
      ["a missing delta", () => [[{ inventory_item_id: item, location_id: "loc_1" }], {}], `"changes.0.delta" is required`],
      ["a fractional delta", () => [[{ inventory_item_id: item, location_id: "loc_1", delta: 1.5 }], {}], `"changes.0.delta" must be an integer`],
      ["a delta as text", () => [[{ inventory_item_id: item, location_id: "loc_1", delta: "2" }], {}], `"changes.0.delta" must be an integer`],
      ["an unknown field", () => [[{ inventory_item_id: item, location_id: "loc_1", delta: 1, sku: "x" }], {}], `"changes.0" has unknown field(s): "sku"`],
      ["a missing location", () => [[{ inventory_item_id: item, delta: 1 }], {}], `"changes.0.location_id" is required`],
      ["an empty idempotency_key", () => [[{ inventory_item_id: item, location_id: "loc_1", delta: 1 }], { idempotency_key: "" }], `"options.idempotency_key" must not be empty`],
      ["an unknown option", () => [[{ inventory_item_id: item, location_id: "loc_1", delta: 1 }], { why: "x" }], `"options" has unknown field(s): "why"`],
      ["metadata not an object", () => [[{ inventory_item_id: item, location_id: "loc_1", delta: 1 }], { metadata: "x" }], `"options.metadata" must be an object`],
      ["a reason not a string", () => [[{ inventory_item_id: item, location_id: "loc_1", delta: 1 }], { reason: 5 }], `"options.reason" must be a string`],
      ["options not an object", () => [[{ inventory_item_id: item, location_id: "loc_1", delta: 1 }], "fast"], `"options"`],
      ["options an array", () => [[{ inventory_item_id: item, location_id: "loc_1", delta: 1 }], ["x"]], `"options"`],
    ]

    it.each(badInputs)("refuses %s with INVALID_DATA naming the field, writing nothing", async (_case, make, message) => {
      const [changes, options] = make()
      const real = JSON.parse(JSON.stringify(changes ?? null).replace(/"ITEM"/g, JSON.stringify(a)))
      const count = await movementCount()
      await expectMedusaError(service.adjustStockedQuantities(real as StockedQuantityAdjustment[], options as StockMovementOptions), MedusaError.Types.INVALID_DATA, {
        contains: message,
      })
      expect(await quantities(a, "loc_1")).toEqual([10, 0])
      expect(await movementCount()).toBe(count)
      expect(await keyCount()).toBe(0)
      expect(db.eventBus.events).toEqual([])
    })
  })

  // ------------------------------------------------------------------ 5. setStockedQuantities

  describe("setStockedQuantities", () => {
    let a: string
    let b: string

    beforeEach(async () => {
      a = await makeItem("A")
      b = await makeItem("B")
      await makeLevel(a, "loc_1", 10)
      await makeLevel(b, "loc_1", 3)
      db.eventBus.clear()
    })

    it("sets the stocked quantity with a correction movement; the same quantity records nothing", async () => {
      let levels!: InventoryLevelDTO[]
      const recorded = await recordedBy(async () => {
        levels = await service.setStockedQuantities([
          { inventory_item_id: b, location_id: "loc_1", quantity: 3 },
          { inventory_item_id: a, location_id: "loc_1", quantity: 20 },
        ])
      })
      expect(levels.map((l) => [l.inventory_item_id, l.stocked_quantity])).toEqual([
        [b, 3],
        [a, 20],
      ])
      expect(recorded.map(brief)).toEqual([
        { location_id: "loc_1", reason: "correction", stocked_delta: 10, reserved_delta: 0, stocked_after: 20, reserved_after: 0 },
      ])
      expect(recorded[0].inventory_item_id).toBe(a)
      expect(eventsNamed("inventory-level.updated")).toEqual([{ id: levels[1].id }])

      const before = await levelRow(b, "loc_1")
      expect(await recordedBy(() => service.setStockedQuantities([{ inventory_item_id: b, location_id: "loc_1", quantity: 3 }]))).toEqual([])
      expect((await levelRow(b, "loc_1"))?.updated_at).toEqual(before?.updated_at)
      expect(eventsNamed("inventory-level.updated")).toHaveLength(1)
    })

    it("writes when expected_quantity matches, with the caller's reason", async () => {
      const recorded = await recordedBy(() =>
        service.setStockedQuantities([{ inventory_item_id: a, location_id: "loc_1", quantity: 7, expected_quantity: 10 }], { reason: "stocktake", actor: "scanner_3" })
      )
      expect(recorded).toHaveLength(1)
      expect(recorded[0]).toMatchObject({ reason: "stocktake", actor: "scanner_3", stocked_delta: -3, stocked_after: 7 })
      expect(await quantities(a, "loc_1")).toEqual([7, 0])
    })

    it("refuses a stale expected_quantity with CONFLICT naming item, location, expected and current, writing nothing", async () => {
      const count = await movementCount()
      const before = await levelRow(a, "loc_1")
      const error = await expectMedusaError(
        service.setStockedQuantities([
          { inventory_item_id: b, location_id: "loc_1", quantity: 50 },
          { inventory_item_id: a, location_id: "loc_1", quantity: 20, expected_quantity: 7 },
        ]),
        MedusaError.Types.CONFLICT
      )
      expect(error.message).toContain(a)
      expect(error.message).toContain("loc_1")
      expect(error.message).toContain("7")
      expect(error.message).toContain("10")
      expect(error.message).toBe(`Stocked quantity of item ${a} at location loc_1 is 10, not the expected 7`)
      expect(await levelRow(a, "loc_1")).toEqual(before)
      expect(await quantities(b, "loc_1")).toEqual([3, 0])
      expect(await movementCount()).toBe(count)
      expect(db.eventBus.events).toEqual([])
    })

    it("refuses a level given twice with INVALID_DATA, writing nothing", async () => {
      const count = await movementCount()
      await expectMedusaError(
        service.setStockedQuantities([
          { inventory_item_id: a, location_id: "loc_1", quantity: 1 },
          { inventory_item_id: b, location_id: "loc_1", quantity: 2 },
          { inventory_item_id: a, location_id: "loc_1", quantity: 3 },
        ]),
        MedusaError.Types.INVALID_DATA,
        { contains: `"changes.2" sets the level of item ${a} at location loc_1 again` }
      )
      expect(await quantities(a, "loc_1")).toEqual([10, 0])
      expect(await quantities(b, "loc_1")).toEqual([3, 0])
      expect(await movementCount()).toBe(count)
    })

    it("refuses a missing level with NOT_FOUND and bad input with INVALID_DATA", async () => {
      await expectMedusaError(
        service.setStockedQuantities([{ inventory_item_id: a, location_id: "loc_9", quantity: 1, expected_quantity: 0 }]),
        MedusaError.Types.NOT_FOUND,
        { exact: `Item ${a} is not stocked at location loc_9` }
      )
      await expectMedusaError(
        service.setStockedQuantities([{ inventory_item_id: a, location_id: "loc_1", quantity: 1, expected_quantity: 2.5 }]),
        MedusaError.Types.INVALID_DATA,
        { contains: `"changes.0.expected_quantity" must be an integer` }
      )
      await expectMedusaError(
        service.setStockedQuantities([{ inventory_item_id: a, location_id: "loc_1" } as never]),
        MedusaError.Types.INVALID_DATA,
        { contains: `"changes.0.quantity" is required` }
      )
      expect(await quantities(a, "loc_1")).toEqual([10, 0])
    })

    it("compare-and-set under concurrency: of 50 calls expecting the same quantity exactly one writes", async () => {
      const level = await levelRow(a, "loc_1")
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) =>
          service.setStockedQuantities([{ inventory_item_id: a, location_id: "loc_1", quantity: 100 + i, expected_quantity: 10 }])
        )
      )
      const won = results.filter((r): r is PromiseFulfilledResult<InventoryLevelDTO[]> => r.status === "fulfilled")
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected")
      expect(won).toHaveLength(1)
      expect(lost).toHaveLength(49)
      for (const r of lost) {
        expect({ medusa: MedusaError.isMedusaError(r.reason), type: r.reason.type }).toEqual({ medusa: true, type: MedusaError.Types.CONFLICT })
        expect(r.reason.message).toMatch(new RegExp(`^Stocked quantity of item ${a} at location loc_1 is 1\\d\\d, not the expected 10$`))
      }
      const winner = won[0].value[0].stocked_quantity
      expect(await quantities(a, "loc_1")).toEqual([winner, 0])
      const corrections = (await movements(a)).filter((m) => m.reason === "correction")
      expect(corrections.map(brief)).toEqual([
        { location_id: "loc_1", reason: "correction", stocked_delta: winner - 10, reserved_delta: 0, stocked_after: winner, reserved_after: 0 },
      ])
      expect(eventsNamed("inventory-level.updated")).toEqual([{ id: level?.id }])
    })
  })

  // ------------------------------------------------------------------ 6. idempotency

  describe("idempotency keys", () => {
    let a: string

    beforeEach(async () => {
      a = await makeItem("A")
      await makeLevel(a, "loc_1", 10)
      await makeLevel(a, "loc_2", 4)
      db.eventBus.clear()
    })

    const change = () => [{ inventory_item_id: a, location_id: "loc_1", delta: 5 }]

    it("a repeated call returns the first call's levels and writes nothing", async () => {
      const first = await service.adjustStockedQuantities(change(), { idempotency_key: "k-1", reason: "receipt" })
      const count = await movementCount()
      expect(await quantities(a, "loc_1")).toEqual([15, 0])
      expect(eventsNamed("inventory-level.updated")).toHaveLength(1)

      const second = await service.adjustStockedQuantities(change(), { reason: "receipt", idempotency_key: "k-1" })
      expect(second).toStrictEqual(first)
      expect(second[0].created_at).toBeInstanceOf(Date)
      expect(second[0].updated_at).toBeInstanceOf(Date)
      expect(await quantities(a, "loc_1")).toEqual([15, 0])
      expect(await movementCount()).toBe(count)
      expect(eventsNamed("inventory-level.updated")).toHaveLength(1)
      expect((await movements(a)).filter((m) => m.idempotency_key === "k-1")).toHaveLength(1)
    })

    it("a replay answers the first result even after the level changed since", async () => {
      const first = await service.setStockedQuantities([{ inventory_item_id: a, location_id: "loc_1", quantity: 30 }], { idempotency_key: "set-1" })
      await service.adjustInventory(a, "loc_1", 1)
      const again = await service.setStockedQuantities([{ inventory_item_id: a, location_id: "loc_1", quantity: 30 }], { idempotency_key: "set-1" })
      expect(again).toStrictEqual(first)
      expect(again[0].stocked_quantity).toBe(30)
      expect(await quantities(a, "loc_1")).toEqual([31, 0])
    })

    it("the same key with a different input is a CONFLICT and writes nothing", async () => {
      await service.adjustStockedQuantities(change(), { idempotency_key: "k-2" })
      const count = await movementCount()
      const message = { exact: `Idempotency key "k-2" was already used for a different request` }
      await expectMedusaError(
        service.adjustStockedQuantities([{ inventory_item_id: a, location_id: "loc_1", delta: 6 }], { idempotency_key: "k-2" }),
        MedusaError.Types.CONFLICT,
        message
      )
      await expectMedusaError(service.adjustStockedQuantities(change(), { idempotency_key: "k-2", reason: "other" }), MedusaError.Types.CONFLICT, message)
      await expectMedusaError(
        service.setStockedQuantities([{ inventory_item_id: a, location_id: "loc_1", quantity: 5 }], { idempotency_key: "k-2" }),
        MedusaError.Types.CONFLICT,
        message
      )
      expect(await quantities(a, "loc_1")).toEqual([15, 0])
      expect(await movementCount()).toBe(count)
      expect(eventsNamed("inventory-level.updated")).toHaveLength(1)
    })

    it("50 concurrent calls with one key move the quantity once and all answer the same levels", async () => {
      const results = await Promise.all(Array.from({ length: 50 }, () => service.adjustStockedQuantities(change(), { idempotency_key: "burst" })))
      expect(await quantities(a, "loc_1")).toEqual([15, 0])
      const moves = (await movements(a)).filter((m) => m.reason === "adjustment")
      expect(moves).toHaveLength(1)
      expect(moves[0]).toMatchObject({ stocked_delta: 5, stocked_after: 15, idempotency_key: "burst" })
      for (const levels of results) expect(levels).toStrictEqual(results[0])
      expect(results[0][0].stocked_quantity).toBe(15)
      expect(eventsNamed("inventory-level.updated")).toHaveLength(1)
      expect(await keyCount()).toBe(1)
    })

    it("a key whose first call failed can be used again", async () => {
      await expectMedusaError(
        service.setStockedQuantities([{ inventory_item_id: a, location_id: "loc_1", quantity: 1, expected_quantity: 7 }], { idempotency_key: "retry" }),
        MedusaError.Types.CONFLICT,
        { contains: "not the expected 7" }
      )
      expect(await keyCount()).toBe(0)
      const levels = await service.setStockedQuantities([{ inventory_item_id: a, location_id: "loc_1", quantity: 1, expected_quantity: 10 }], {
        idempotency_key: "retry",
      })
      expect(levels[0].stocked_quantity).toBe(1)
      expect(await quantities(a, "loc_1")).toEqual([1, 0])

      await expectMedusaError(
        service.adjustStockedQuantities([{ inventory_item_id: a, location_id: "loc_nowhere", delta: 1 }], { idempotency_key: "retry-2" }),
        MedusaError.Types.NOT_FOUND
      )
      const adjusted = await service.adjustStockedQuantities([{ inventory_item_id: a, location_id: "loc_2", delta: 1 }], { idempotency_key: "retry-2" })
      expect(adjusted[0].stocked_quantity).toBe(5)
    })

    it("a key used in a caller transaction that rolled back can be used again", async () => {
      await rejectionOf(
        db.dataSource.manager.transaction(async (transactionManager) => {
          await service.adjustStockedQuantities(change(), { idempotency_key: "tx-key" }, { transactionManager })
          throw new Error("rollback")
        })
      )
      expect(await keyCount()).toBe(0)
      await service.adjustStockedQuantities(change(), { idempotency_key: "tx-key" })
      expect(await quantities(a, "loc_1")).toEqual([15, 0])
    })
  })

  // ------------------------------------------------------------------ 7. alerts

  describe("stock alert events", () => {
    let itemId: string

    beforeEach(async () => {
      itemId = await makeItem()
    })

    const payload = (level: { id: string }, available: number, threshold: number | null, location = "loc_1") => ({
      id: level.id,
      inventory_item_id: itemId,
      location_id: location,
      available_quantity: available,
      threshold,
    })

    it("out-of-stock when a reservation takes the last units", async () => {
      const level = await makeLevel(itemId, "loc_1", 5)
      await reserve({ inventory_item_id: itemId, location_id: "loc_1", quantity: 2 })
      expect(alerts()).toEqual([])
      await reserve({ inventory_item_id: itemId, location_id: "loc_1", quantity: 3 })
      expect(alerts()).toEqual([{ name: "inventory-level.out-of-stock", data: payload(level, 0, null) }])
    })

    it("out-of-stock from adjustInventory, updateInventoryLevel and setStockedQuantities", async () => {
      const l1 = await makeLevel(itemId, "loc_1", 5)
      const l2 = await makeLevel(itemId, "loc_2", 5)
      const l3 = await makeLevel(itemId, "loc_3", 5)
      await service.adjustInventory(itemId, "loc_1", -7)
      await service.updateInventoryLevel(itemId, "loc_2", { stocked_quantity: 0 })
      await service.setStockedQuantities([{ inventory_item_id: itemId, location_id: "loc_3", quantity: 0, expected_quantity: 5 }])
      expect(alerts()).toEqual([
        { name: "inventory-level.out-of-stock", data: payload(l1, -2, null) },
        { name: "inventory-level.out-of-stock", data: payload(l2, 0, null, "loc_2") },
        { name: "inventory-level.out-of-stock", data: payload(l3, 0, null, "loc_3") },
      ])
    })

    it("back-in-stock when an adjustment or a release takes availability above 0", async () => {
      const level = await makeLevel(itemId, "loc_1", 3)
      const r = await reserve({ inventory_item_id: itemId, location_id: "loc_1", quantity: 3 })
      db.eventBus.clear()

      await service.deleteReservationItem(r.id)
      expect(alerts()).toEqual([{ name: "inventory-level.back-in-stock", data: payload(level, 3, null) }])

      db.eventBus.clear()
      await service.adjustInventory(itemId, "loc_1", -5)
      expect(alerts()).toEqual([{ name: "inventory-level.out-of-stock", data: payload(level, -2, null) }])
      db.eventBus.clear()
      await service.adjustInventory(itemId, "loc_1", 2)
      expect(alerts()).toEqual([])
      await service.adjustStockedQuantities([{ inventory_item_id: itemId, location_id: "loc_1", delta: 1 }])
      expect(alerts()).toEqual([{ name: "inventory-level.back-in-stock", data: payload(level, 1, null) }])
    })

    it("one alert per level for a bulk call whose reservations together take the last units", async () => {
      const l1 = await makeLevel(itemId, "loc_1", 5)
      await makeLevel(itemId, "loc_2", 5)
      await service.createReservationItems([
        { inventory_item_id: itemId, location_id: "loc_1", quantity: 2 },
        { inventory_item_id: itemId, location_id: "loc_2", quantity: 1 },
        { inventory_item_id: itemId, location_id: "loc_1", quantity: 3 },
      ])
      expect(alerts()).toEqual([{ name: "inventory-level.out-of-stock", data: payload(l1, 0, null) }])
    })

    it("a reservation moved between locations: back-in-stock at the old, out-of-stock at the new", async () => {
      const l1 = await makeLevel(itemId, "loc_1", 2)
      const l2 = await makeLevel(itemId, "loc_2", 2)
      const r = await reserve({ inventory_item_id: itemId, location_id: "loc_1", quantity: 2 })
      db.eventBus.clear()
      await service.updateReservationItem(r.id, { location_id: "loc_2" })
      expect(alerts()).toEqual(
        expect.arrayContaining([
          { name: "inventory-level.back-in-stock", data: payload(l1, 2, null) },
          { name: "inventory-level.out-of-stock", data: payload(l2, 0, null, "loc_2") },
        ])
      )
      expect(alerts()).toHaveLength(2)
    })

    it("back-in-stock when the sweeper releases an expired reservation", async () => {
      const level = await makeLevel(itemId, "loc_1", 2)
      await reserve({ inventory_item_id: itemId, location_id: "loc_1", quantity: 2, expires_at: PAST })
      db.eventBus.clear()
      await service.sweepExpiredReservations()
      expect(alerts()).toEqual([{ name: "inventory-level.back-in-stock", data: payload(level, 2, null) }])
    })

    it("low-stock when availability crosses the level's metadata.low_stock_threshold, and not while it stays below", async () => {
      const level = await makeLevel(itemId, "loc_1", 10, { metadata: { low_stock_threshold: 5 } })
      // Down to exactly the threshold: not below it yet.
      await service.adjustInventory(itemId, "loc_1", -5)
      expect(alerts()).toEqual([])
      await service.adjustInventory(itemId, "loc_1", -1)
      expect(alerts()).toEqual([{ name: "inventory-level.low-stock", data: payload(level, 4, 5) }])

      db.eventBus.clear()
      await service.adjustInventory(itemId, "loc_1", -1)
      await reserve({ inventory_item_id: itemId, location_id: "loc_1", quantity: 1 })
      expect(alerts()).toEqual([])
      await service.adjustInventory(itemId, "loc_1", 10)
      expect(alerts()).toEqual([])
      await service.adjustInventory(itemId, "loc_1", -10)
      expect(alerts()).toEqual([{ name: "inventory-level.low-stock", data: payload(level, 2, 5) }])
    })

    it("low-stock from the module's lowStockThreshold", async () => {
      const svc = db.service({ lowStockThreshold: 5 })
      const level = await makeLevel(itemId, "loc_1", 10, {}, svc)
      await reserve({ inventory_item_id: itemId, location_id: "loc_1", quantity: 6 }, svc)
      expect(alerts()).toEqual([{ name: "inventory-level.low-stock", data: payload(level, 4, 5) }])
      db.eventBus.clear()
      // The same change without the option sends nothing.
      await service.adjustInventory(itemId, "loc_1", 10)
      await service.adjustInventory(itemId, "loc_1", -11)
      expect(alerts()).toEqual([])
    })

    it("a level's own threshold wins over the module's", async () => {
      const svc = db.service({ lowStockThreshold: 5 })
      const level = await makeLevel(itemId, "loc_1", 10, { metadata: { low_stock_threshold: 2 } }, svc)
      await svc.adjustInventory(itemId, "loc_1", -6)
      expect(alerts()).toEqual([])
      await svc.adjustInventory(itemId, "loc_1", -3)
      expect(alerts()).toEqual([{ name: "inventory-level.low-stock", data: payload(level, 1, 2) }])
    })

    it("one change can cross both lines: low-stock and out-of-stock", async () => {
      const svc = db.service({ lowStockThreshold: 5 })
      const level = await makeLevel(itemId, "loc_1", 10, {}, svc)
      await svc.setStockedQuantities([{ inventory_item_id: itemId, location_id: "loc_1", quantity: 0 }])
      expect(alerts()).toEqual([
        { name: "inventory-level.low-stock", data: payload(level, 0, 5) },
        { name: "inventory-level.out-of-stock", data: payload(level, 0, 5) },
      ])
    })

    it("no alert for changes that do not cross a line", async () => {
      const svc = db.service({ lowStockThreshold: 5 })
      await makeLevel(itemId, "loc_1", 10)
      await makeLevel(itemId, "loc_2", 0)
      await makeLevel(itemId, "loc_3", 3)
      db.eventBus.clear()
      // Staying above (no threshold), down to exactly the threshold (not below it).
      await service.adjustInventory(itemId, "loc_1", -8)
      await svc.adjustInventory(itemId, "loc_1", 4)
      await svc.adjustInventory(itemId, "loc_1", -1)
      // Staying at or below 0.
      await service.adjustInventory(itemId, "loc_2", -2)
      await service.adjustInventory(itemId, "loc_2", 2)
      await service.updateInventoryLevel(itemId, "loc_2", { stocked_quantity: 0 })
      // Staying below the threshold (option), and no threshold at all.
      await svc.adjustInventory(itemId, "loc_3", -1)
      await svc.adjustInventory(itemId, "loc_3", 1)
      await service.adjustInventory(itemId, "loc_3", -2)
      // A change of nothing.
      await svc.adjustInventory(itemId, "loc_3", 0)
      expect(await quantities(itemId, "loc_1")).toEqual([5, 0])
      expect(alerts()).toEqual([])
    })

    it("alerts are sent after the caller's commit, and never when it rolls back", async () => {
      const level = await makeLevel(itemId, "loc_1", 5)
      await rejectionOf(
        db.dataSource.manager.transaction(async (transactionManager) => {
          await service.adjustInventory(itemId, "loc_1", -5, { transactionManager })
          throw new Error("rollback")
        })
      )
      expect(alerts()).toEqual([])
      expect(await quantities(itemId, "loc_1")).toEqual([5, 0])

      let insideTransaction: unknown[] = []
      await db.dataSource.manager.transaction(async (transactionManager) => {
        await service.adjustInventory(itemId, "loc_1", -5, { transactionManager })
        insideTransaction = alerts()
      })
      expect(insideTransaction).toEqual([])
      expect(alerts()).toEqual([{ name: "inventory-level.out-of-stock", data: payload(level, 0, null) }])
    })
  })

  // ------------------------------------------------------------------ 8. reservation expiry

  describe("reservation expiry", () => {
    let itemId: string

    beforeEach(async () => {
      itemId = await makeItem()
      await makeLevel(itemId, "loc_1", 10)
    })

    const base = () => ({ inventory_item_id: itemId, location_id: "loc_1", quantity: 1 })

    it("createReservationItem takes expires_at as a Date or an ISO string and returns it", async () => {
      const byDate = await reserve({ ...base(), expires_at: FUTURE })
      expect(byDate.expires_at).toEqual(FUTURE)
      expect(byDate.expires_at).toBeInstanceOf(Date)

      const iso = "2031-05-06T07:08:09.000Z"
      const byString = await reserve({ ...base(), expires_at: iso })
      expect(byString.expires_at).toEqual(new Date(iso))

      const offset = await reserve({ ...base(), expires_at: "2031-05-06T09:08:09+02:00" })
      expect(offset.expires_at).toEqual(new Date(iso))

      const [row] = await db.query(`SELECT expires_at FROM reservation_item WHERE id = $1`, [byString.id])
      expect(row.expires_at).toEqual(new Date(iso))
      expect(((await service.retrieveReservationItem(byDate.id)) as WithExpiry).expires_at).toEqual(FUTURE)

      const bulk = (await service.createReservationItems([
        { ...base(), expires_at: iso } as unknown as CreateReservationItemInput,
        base(),
      ])) as WithExpiry[]
      expect(bulk[0].expires_at).toEqual(new Date(iso))
      expect(Object.keys(bulk[1])).not.toContain("expires_at")
    })

    it("a reservation without expiry has no expires_at key at all", async () => {
      const plain = await reserve(base())
      const explicitNull = await reserve({ ...base(), expires_at: null })
      const [listedBulk] = await service.createReservationItems([base()])
      for (const r of [plain, explicitNull, listedBulk]) expect(Object.keys(r)).not.toContain("expires_at")
      expect(Object.keys(await service.retrieveReservationItem(plain.id))).not.toContain("expires_at")
      const [listed] = await service.listReservationItems({ id: plain.id })
      expect(Object.keys(listed[0])).not.toContain("expires_at")
      expect(Object.keys(plain).sort()).toEqual(
        [
          "id",
          "created_at",
          "updated_at",
          "deleted_at",
          "line_item_id",
          "inventory_item_id",
          "location_id",
          "quantity",
          "external_id",
          "description",
          "created_by",
          "metadata",
        ].sort()
      )
    })

    it("updateReservationItem sets and clears expires_at", async () => {
      const r = await reserve(base())
      const set = (await service.updateReservationItem(r.id, { expires_at: FUTURE } as unknown as UpdateReservationItemInput)) as WithExpiry
      expect(set.expires_at).toEqual(FUTURE)
      const iso = "2032-01-01T00:00:00.000Z"
      const changed = (await service.updateReservationItem(r.id, { expires_at: iso } as unknown as UpdateReservationItemInput)) as WithExpiry
      expect(changed.expires_at).toEqual(new Date(iso))
      const cleared = await service.updateReservationItem(r.id, { expires_at: null } as unknown as UpdateReservationItemInput)
      expect(Object.keys(cleared)).not.toContain("expires_at")
      const [row] = await db.query(`SELECT expires_at FROM reservation_item WHERE id = $1`, [r.id])
      expect(row.expires_at).toBeNull()
    })

    it.each([
      ["text", "tomorrow"],
      ["an invalid Date", new Date("not a date")],
      ["a number", 1767225600000],
      ["a date without time", "2031-05-06"],
    ])("refuses expires_at as %s with INVALID_DATA, writing nothing", async (_case, value) => {
      const count = await movementCount()
      await expectMedusaError(reserve({ ...base(), expires_at: value }), MedusaError.Types.INVALID_DATA, { contains: `"input.expires_at"` })
      const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM reservation_item`)
      expect(row.n).toBe(0)
      expect(await movementCount()).toBe(count)

      const r = await reserve({ ...base(), expires_at: FUTURE })
      await expectMedusaError(
        service.updateReservationItem(r.id, { expires_at: value } as unknown as UpdateReservationItemInput),
        MedusaError.Types.INVALID_DATA,
        { contains: `"input.expires_at"` }
      )
      expect(((await service.retrieveReservationItem(r.id)) as WithExpiry).expires_at).toEqual(FUTURE)
    })

    it("sweepExpiredReservations releases only the expired reservations", async () => {
      const r1 = await reserve({ ...base(), quantity: 2, line_item_id: "li_1", expires_at: PAST })
      const r2 = await reserve({ ...base(), quantity: 3, expires_at: new Date(Date.now() - 1000) })
      const future = await reserve({ ...base(), quantity: 1, expires_at: FUTURE })
      const never = await reserve({ ...base(), quantity: 1 })
      expect(await quantities(itemId, "loc_1")).toEqual([10, 7])
      db.eventBus.clear()

      let ids!: string[]
      const recorded = await recordedBy(async () => {
        ids = await service.sweepExpiredReservations()
      })
      expect([...ids].sort()).toEqual([r1.id, r2.id].sort())
      expect(await isLive(r1.id)).toBe(false)
      expect(await isLive(r2.id)).toBe(false)
      expect(await isLive(future.id)).toBe(true)
      expect(await isLive(never.id)).toBe(true)
      expect(await quantities(itemId, "loc_1")).toEqual([10, 2])
      expect(recorded.map((m) => [m.reservation_item_id, m.reason, m.reserved_delta, m.reference]).sort()).toEqual(
        [
          [r1.id, "expired", -2, "li_1"],
          [r2.id, "expired", -3, null],
        ].sort()
      )
      const deleted = eventsNamed("reservation-item.deleted")
      expect(deleted).toHaveLength(1)
      expect([...deleted[0].ids].sort()).toEqual([r1.id, r2.id].sort())

      db.eventBus.clear()
      expect(await recordedBy(async () => expect(await service.sweepExpiredReservations()).toEqual([]))).toEqual([])
      expect(db.eventBus.events).toEqual([])
      await expectBalanced()
      await expectNoDrift()
    })

    it("with sweepIntervalMs the module releases expired reservations by itself", async () => {
      const sweeping = db.service({ sweepIntervalMs: 100 })
      try {
        const r = await reserve({ ...base(), quantity: 4, expires_at: new Date(Date.now() + 300) })
        const kept = await reserve({ ...base(), quantity: 1, expires_at: FUTURE })
        expect(await quantities(itemId, "loc_1")).toEqual([10, 5])
        expect(await poll(async () => !(await isLive(r.id)))).toBe(true)
        expect(await quantities(itemId, "loc_1")).toEqual([10, 1])
        expect(await isLive(kept.id)).toBe(true)
        expect((await movements(itemId)).filter((m) => m.reason === "expired").map((m) => m.reservation_item_id)).toEqual([r.id])
        expect(eventsNamed("reservation-item.deleted")).toContainEqual({ ids: [r.id] })
      } finally {
        await sweeping.__hooks.onApplicationShutdown()
      }
      // Shut down: nothing more is swept.
      const after = await reserve({ ...base(), quantity: 2, expires_at: PAST })
      await sleep(500)
      expect(await isLive(after.id)).toBe(true)
      expect(await quantities(itemId, "loc_1")).toEqual([10, 3])
    })

    it("stopSweeper stops the sweeping", async () => {
      const sweeping = db.service({ sweepIntervalMs: 50 })
      const first = await reserve({ ...base(), expires_at: PAST })
      expect(await poll(async () => !(await isLive(first.id)))).toBe(true)
      await sweeping.stopSweeper()
      const after = await reserve({ ...base(), expires_at: PAST })
      await sleep(400)
      expect(await isLive(after.id)).toBe(true)
    })

    /**
     * A sweep under way when the module shuts down: once `stopSweeper()` (or
     * `onApplicationShutdown()`) has resolved, that sweep has finished and nothing more is
     * swept. The sweep is held on a row lock of the expired reservation.
     */
    async function sweepUnderWayAtStop(stop: (svc: InventoryService) => Promise<void>): Promise<{ liveWhenStopped: boolean; liveLater: boolean }> {
      const r = await reserve({ ...base(), quantity: 2, expires_at: PAST })
      const runner = db.dataSource.createQueryRunner()
      await runner.connect()
      await runner.startTransaction()
      await runner.query(`SELECT id FROM reservation_item WHERE id = $1 FOR UPDATE`, [r.id])
      const sweeping = db.service({ sweepIntervalMs: 50 })
      try {
        const blocked = await poll(async () => {
          const [row] = await db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity
              WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%reservation_item%'`
          )
          return row.n > 0
        })
        expect(blocked).toBe(true)
        let liveWhenStopped: boolean | undefined
        const stopped = stop(sweeping).then(async () => {
          liveWhenStopped = await isLive(r.id)
        })
        await sleep(200)
        await runner.commitTransaction()
        await stopped
        await sleep(300)
        return { liveWhenStopped: liveWhenStopped!, liveLater: await isLive(r.id) }
      } finally {
        if (runner.isTransactionActive) await runner.rollbackTransaction()
        await runner.release()
        await sweeping.stopSweeper()
      }
    }

    it("stopSweeper waits for a sweep under way", async () => {
      const { liveWhenStopped, liveLater } = await sweepUnderWayAtStop((svc) => svc.stopSweeper())
      expect(liveWhenStopped).toBe(false)
      expect(liveLater).toBe(liveWhenStopped)
    })

    it("onApplicationShutdown waits for a sweep under way: nothing is swept once it has resolved", async () => {
      const { liveWhenStopped, liveLater } = await sweepUnderWayAtStop((svc) => svc.__hooks.onApplicationShutdown())
      expect({ liveWhenStopped, liveLater }).toEqual({ liveWhenStopped: false, liveLater: false })
    })
  })

  // ------------------------------------------------------------------ concurrency

  describe("under concurrency", () => {
    it("a burst of mixed writes keeps I6 and chains every movement's quantities after it", async () => {
      const itemId = await makeItem()
      await makeLevel(itemId, "loc_1", 1000)
      await makeLevel(itemId, "loc_2", 100)
      const doomed = await service.createReservationItems(Array.from({ length: 10 }, () => ({ inventory_item_id: itemId, location_id: "loc_1", quantity: 1 })))
      const movers = await service.createReservationItems(Array.from({ length: 5 }, () => ({ inventory_item_id: itemId, location_id: "loc_1", quantity: 1 })))
      const deltas = [3, -3, 5, -1, 2, -2, 7, -4, 1, -6]

      await Promise.all([
        ...Array.from({ length: 10 }, () => reserve({ inventory_item_id: itemId, location_id: "loc_1", quantity: 2 })),
        ...doomed.map((r) => service.deleteReservationItem(r.id)),
        ...deltas.map((d) => service.adjustInventory(itemId, "loc_1", d)),
        ...Array.from({ length: 5 }, () =>
          service.adjustStockedQuantities([
            { inventory_item_id: itemId, location_id: "loc_2", delta: -1 },
            { inventory_item_id: itemId, location_id: "loc_1", delta: 1 },
          ])
        ),
        ...movers.map((r) => service.updateReservationItem(r.id, { location_id: "loc_2", quantity: 2 })),
      ])

      expect(await quantities(itemId, "loc_1")).toEqual([1000 + deltas.reduce((x, y) => x + y, 0) + 5, 20])
      expect(await quantities(itemId, "loc_2")).toEqual([95, 10])
      expect(await brokenChains()).toEqual([])
      await expectBalanced()
      await expectNoDrift()
    })

    it("concurrent sweeps release each expired reservation once", async () => {
      const itemId = await makeItem()
      await makeLevel(itemId, "loc_1", 10)
      const expired = await service.createReservationItems(
        Array.from({ length: 5 }, () => ({ inventory_item_id: itemId, location_id: "loc_1", quantity: 1, expires_at: PAST }) as unknown as CreateReservationItemInput)
      )
      const swept = (await Promise.all(Array.from({ length: 5 }, () => service.sweepExpiredReservations()))).flat()
      expect(swept.sort()).toEqual(expired.map((r) => r.id).sort())
      expect(await quantities(itemId, "loc_1")).toEqual([10, 0])
      expect((await movements(itemId)).filter((m) => m.reason === "expired")).toHaveLength(5)
      expect(eventsNamed("reservation-item.deleted").flatMap((e) => e.ids).sort()).toEqual(swept)
      await expectBalanced()
      await expectNoDrift()
    })
  })

  // ------------------------------------------------------------------ 9. ledger: false

  describe("ledger: false", () => {
    it("writes work and alerts are sent, but no movement is recorded", async () => {
      checkBalance = false
      const svc = db.service({ ledger: false })
      const itemId = (await svc.createInventoryItem({ title: "Unledgered" })).id
      const level = await makeLevel(itemId, "loc_1", 5, {}, svc)
      await makeLevel(itemId, "loc_2", 5, {}, svc)
      await svc.adjustInventory(itemId, "loc_1", 1)
      await svc.updateInventoryLevel(itemId, "loc_1", { stocked_quantity: 4 })
      const r = await reserve({ inventory_item_id: itemId, location_id: "loc_1", quantity: 4 }, svc)
      expect(alerts()).toEqual([
        {
          name: "inventory-level.out-of-stock",
          data: { id: level.id, inventory_item_id: itemId, location_id: "loc_1", available_quantity: 0, threshold: null },
        },
      ])
      await svc.updateReservationItem(r.id, { quantity: 2 })
      const first = await svc.adjustStockedQuantities([{ inventory_item_id: itemId, location_id: "loc_2", delta: 3 }], { idempotency_key: "off-1" })
      const replay = await svc.adjustStockedQuantities([{ inventory_item_id: itemId, location_id: "loc_2", delta: 3 }], { idempotency_key: "off-1" })
      expect(replay).toStrictEqual(first)
      await svc.setStockedQuantities([{ inventory_item_id: itemId, location_id: "loc_1", quantity: 9, expected_quantity: 4 }])
      await svc.deleteReservationItem(r.id)
      await svc.deleteInventoryLevel(itemId, "loc_2")

      expect(await quantities(itemId, "loc_1")).toEqual([9, 0])
      expect(await quantities(itemId, "loc_2")).toBeUndefined()
      expect(await movementCount()).toBe(0)
      expect(eventsNamed("inventory-level.back-in-stock")).toHaveLength(1)
      // A module with the ledger on, on the same tables, records again.
      await service.adjustInventory(itemId, "loc_1", 1)
      expect(await movementCount()).toBe(1)
    })
  })
})
