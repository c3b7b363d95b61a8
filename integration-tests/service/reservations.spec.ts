import type {
  CreateReservationItemInput,
  FilterableReservationItemProps,
  ReservationItemDTO,
  UpdateReservationItemInput,
} from "@medusajs/types"
import { MedusaError } from "@medusajs/utils"
import type InventoryService from "../../src/services/inventory"
import { reservedDrift, setupTestDatabase, TestDatabase } from "../utils/database"
import { expectMedusaError } from "../utils/errors"

/**
 * Reservations against a real PostgreSQL: every write is checked against the rows it leaves
 * behind (reservations and the reserved_quantity of their levels) and the events it emits.
 */
describe("reservations", () => {
  let db: TestDatabase

  beforeAll(async () => {
    db = await setupTestDatabase("mit", 20)
  })

  afterEach(async () => {
    try {
      // Whatever a scenario did, every live level must agree with its live reservations.
      expect(await reservedDrift(db)).toEqual([])
    } finally {
      await db.truncate()
    }
  })

  afterAll(async () => {
    await db.close()
  })

  // ------------------------------------------------------------------ helpers



  /** Creates an item with one level per entry of `stock` (location id -> stocked quantity). */
  async function seedItem(
    service: InventoryService,
    stock: Record<string, number>
  ): Promise<string> {
    const item = await service.createInventoryItem({ title: "Item" })
    for (const [location_id, stocked_quantity] of Object.entries(stock)) {
      await service.createInventoryLevel({ inventory_item_id: item.id, location_id, stocked_quantity })
    }
    return item.id
  }

  async function reservedAt(itemId: string, locationId: string): Promise<number> {
    const rows = await db.query<{ reserved_quantity: number }>(
      `SELECT reserved_quantity FROM inventory_level
        WHERE inventory_item_id = $1 AND location_id = $2 AND deleted_at IS NULL`,
      [itemId, locationId]
    )
    expect(rows).toHaveLength(1)
    return rows[0].reserved_quantity
  }

  async function reservationRowCount(): Promise<number> {
    const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM reservation_item`)
    return row.n
  }

  async function reservationRow(id: string): Promise<Record<string, any>> {
    const rows = await db.query(`SELECT * FROM reservation_item WHERE id = $1`, [id])
    expect(rows).toHaveLength(1)
    return rows[0]
  }

  async function expectNoDrift(): Promise<void> {
    expect(await reservedDrift(db)).toEqual([])
  }

  function events(name?: string) {
    return name ? db.eventBus.events.filter((e) => e.name === name) : db.eventBus.events
  }

  // ------------------------------------------------------------------ create

  describe("createReservationItem / createReservationItems", () => {
    it("stores every field, raises reserved_quantity and emits reservation-item.created", async () => {
      const service = db.service()
      const itemId = await seedItem(service, { loc_1: 10 })
      db.eventBus.clear()

      const input: CreateReservationItemInput = {
        inventory_item_id: itemId,
        location_id: "loc_1",
        quantity: 3,
        line_item_id: "li_1",
        description: "for order 1",
        created_by: "user_1",
        external_id: "ext_1",
        metadata: { source: "test", nested: { a: 1 } },
      }
      const reservation = await service.createReservationItem(input)

      expect(reservation.id).toMatch(/^resitem_/)
      expect(reservation).toMatchObject({
        inventory_item_id: itemId,
        location_id: "loc_1",
        quantity: 3,
        line_item_id: "li_1",
        description: "for order 1",
        created_by: "user_1",
        external_id: "ext_1",
        metadata: { source: "test", nested: { a: 1 } },
        deleted_at: null,
      })

      const row = await reservationRow(reservation.id)
      expect(row).toMatchObject({
        inventory_item_id: itemId,
        location_id: "loc_1",
        quantity: 3,
        line_item_id: "li_1",
        description: "for order 1",
        created_by: "user_1",
        external_id: "ext_1",
        metadata: { source: "test", nested: { a: 1 } },
        deleted_at: null,
      })

      expect(await reservedAt(itemId, "loc_1")).toBe(3)
      expect(events()).toEqual([{ name: "reservation-item.created", data: { ids: [reservation.id] } }])
      await expectNoDrift()
    })

    it("creates in bulk in input order and adds up reservations on the same level", async () => {
      const service = db.service()
      const itemA = await seedItem(service, { loc_1: 10, loc_2: 10 })
      const itemB = await seedItem(service, { loc_1: 10 })
      db.eventBus.clear()

      const input: CreateReservationItemInput[] = [
        { inventory_item_id: itemA, location_id: "loc_2", quantity: 5, line_item_id: "li_c" },
        { inventory_item_id: itemA, location_id: "loc_1", quantity: 2, line_item_id: "li_a", description: "first" },
        { inventory_item_id: itemB, location_id: "loc_1", quantity: 7, line_item_id: "li_d" },
        { inventory_item_id: itemA, location_id: "loc_1", quantity: 4, line_item_id: "li_b", external_id: "e2" },
      ]
      const created = await service.createReservationItems(input)

      expect(created).toHaveLength(4)
      created.forEach((reservation, i) => {
        expect(reservation.id).toMatch(/^resitem_/)
        expect(reservation).toMatchObject({
          inventory_item_id: input[i].inventory_item_id,
          location_id: input[i].location_id,
          quantity: input[i].quantity,
          line_item_id: input[i].line_item_id,
        })
      })
      expect(created[1].description).toBe("first")
      expect(created[3]).toMatchObject({ external_id: "e2" })
      expect(new Set(created.map((r) => r.id)).size).toBe(4)

      expect(await reservedAt(itemA, "loc_1")).toBe(6)
      expect(await reservedAt(itemA, "loc_2")).toBe(5)
      expect(await reservedAt(itemB, "loc_1")).toBe(7)
      expect(await reservationRowCount()).toBe(4)

      expect(events()).toEqual([
        { name: "reservation-item.created", data: { ids: created.map((r) => r.id) } },
      ])
      await expectNoDrift()
    })

    it("refuses a reservation where the item has no level with NOT_FOUND and writes nothing", async () => {
      const service = db.service()
      const itemId = await seedItem(service, { loc_1: 10 })
      db.eventBus.clear()

      await expectMedusaError(
        service.createReservationItem({ inventory_item_id: itemId, location_id: "loc_missing", quantity: 1 }),
        MedusaError.Types.NOT_FOUND,
        { exact: `Item ${itemId} is not stocked at location loc_missing` }
      )

      expect(await reservationRowCount()).toBe(0)
      expect(await reservedAt(itemId, "loc_1")).toBe(0)
      expect(events("reservation-item.created")).toEqual([])
      await expectNoDrift()
    })

    it("names every input without a level, in input order, repeats kept (the official wording)", async () => {
      const service = db.service()
      const itemId = await seedItem(service, { loc_1: 10 })
      const other = await seedItem(service, {})
      db.eventBus.clear()

      const twice = await expectMedusaError(
        service.createReservationItems([
          { inventory_item_id: itemId, location_id: "loc_missing", quantity: 1 },
          { inventory_item_id: itemId, location_id: "loc_missing", quantity: 1 },
        ]),
        MedusaError.Types.NOT_FOUND
      )
      expect(twice.message).toBe(
        `Item ${itemId} is not stocked at location loc_missing, Item ${itemId} is not stocked at location loc_missing`
      )
      const mixed = await expectMedusaError(
        service.createReservationItems([
          { inventory_item_id: other, location_id: "loc_1", quantity: 1 },
          { inventory_item_id: itemId, location_id: "loc_1", quantity: 1 },
          { inventory_item_id: itemId, location_id: "loc_2", quantity: 1 },
        ]),
        MedusaError.Types.NOT_FOUND
      )
      expect(mixed.message).toBe(`Item ${other} is not stocked at location loc_1, Item ${itemId} is not stocked at location loc_2`)
      expect(await reservationRowCount()).toBe(0)
      expect(events()).toEqual([])
    })

    it("writes nothing when one reservation of a bulk call has no level", async () => {
      const service = db.service()
      const itemId = await seedItem(service, { loc_1: 10, loc_2: 10 })
      await service.createReservationItem({ inventory_item_id: itemId, location_id: "loc_1", quantity: 2 })
      db.eventBus.clear()

      const error = await expectMedusaError(
        service.createReservationItems([
          { inventory_item_id: itemId, location_id: "loc_1", quantity: 1 },
          { inventory_item_id: itemId, location_id: "loc_2", quantity: 3 },
          { inventory_item_id: itemId, location_id: "loc_missing", quantity: 1 },
        ]),
        MedusaError.Types.NOT_FOUND
      )
      expect(error.message).toContain(`Item ${itemId} is not stocked at location loc_missing`)

      expect(await reservationRowCount()).toBe(1)
      expect(await reservedAt(itemId, "loc_1")).toBe(2)
      expect(await reservedAt(itemId, "loc_2")).toBe(0)
      expect(events()).toEqual([])
      await expectNoDrift()
    })

    it.each([
      ["zero", 0],
      ["negative", -1],
      ["fractional", 1.5],
      ["numeric string", "2"],
      ["2^31 (beyond int4)", 2 ** 31],
    ])("refuses a %s quantity with INVALID_DATA naming quantity", async (_label, quantity) => {
      const service = db.service()
      const itemId = await seedItem(service, { loc_1: 10 })
      db.eventBus.clear()

      const error = await expectMedusaError(
        service.createReservationItem({
          inventory_item_id: itemId,
          location_id: "loc_1",
          quantity: quantity as unknown as number,
        }),
        MedusaError.Types.INVALID_DATA
      )
      expect(error.message).toContain("quantity")

      const bulkError = await expectMedusaError(
        service.createReservationItems([
          { inventory_item_id: itemId, location_id: "loc_1", quantity: 1 },
          { inventory_item_id: itemId, location_id: "loc_1", quantity: quantity as unknown as number },
        ]),
        MedusaError.Types.INVALID_DATA
      )
      expect(bulkError.message).toContain("quantity")

      expect(await reservationRowCount()).toBe(0)
      expect(await reservedAt(itemId, "loc_1")).toBe(0)
      expect(events()).toEqual([])
    })

    it("refuses an empty inventory_item_id with INVALID_DATA", async () => {
      const service = db.service()
      await seedItem(service, { loc_1: 10 })

      const error = await expectMedusaError(
        service.createReservationItem({ inventory_item_id: "", location_id: "loc_1", quantity: 1 }),
        MedusaError.Types.INVALID_DATA
      )
      expect(error.message).toContain("inventory_item_id")
      expect(await reservationRowCount()).toBe(0)
    })

    it("refuses an unknown field with INVALID_DATA", async () => {
      const service = db.service()
      const itemId = await seedItem(service, { loc_1: 10 })

      const error = await expectMedusaError(
        service.createReservationItem({
          inventory_item_id: itemId,
          location_id: "loc_1",
          quantity: 1,
          not_a_field: "x",
        } as unknown as CreateReservationItemInput),
        MedusaError.Types.INVALID_DATA
      )
      expect(error.message).toContain("not_a_field")
      expect(await reservationRowCount()).toBe(0)
      expect(await reservedAt(itemId, "loc_1")).toBe(0)
    })
  })

  // ------------------------------------------------------------------ strict reservations

  describe("strictReservations", () => {
    it("refuses a reservation beyond stocked - reserved with NOT_ALLOWED / INSUFFICIENT_INVENTORY", async () => {
      const service = db.service({ strictReservations: true })
      const itemId = await seedItem(service, { loc_1: 10 })
      await service.createReservationItem({ inventory_item_id: itemId, location_id: "loc_1", quantity: 4 })
      db.eventBus.clear()

      await expectMedusaError(
        service.createReservationItem({ inventory_item_id: itemId, location_id: "loc_1", quantity: 7 }),
        MedusaError.Types.NOT_ALLOWED,
        undefined,
        MedusaError.Codes.INSUFFICIENT_INVENTORY
      )

      expect(await reservationRowCount()).toBe(1)
      expect(await reservedAt(itemId, "loc_1")).toBe(4)
      expect(events()).toEqual([])
      await expectNoDrift()
    })

    it("allows reserving exactly up to availability, and nothing more", async () => {
      const service = db.service({ strictReservations: true })
      const itemId = await seedItem(service, { loc_1: 10 })
      await service.createReservationItem({ inventory_item_id: itemId, location_id: "loc_1", quantity: 4 })

      const exact = await service.createReservationItem({ inventory_item_id: itemId, location_id: "loc_1", quantity: 6 })
      expect(exact.quantity).toBe(6)
      expect(await reservedAt(itemId, "loc_1")).toBe(10)

      await expectMedusaError(
        service.createReservationItem({ inventory_item_id: itemId, location_id: "loc_1", quantity: 1 }),
        MedusaError.Types.NOT_ALLOWED,
        undefined,
        MedusaError.Codes.INSUFFICIENT_INVENTORY
      )
      expect(await reservedAt(itemId, "loc_1")).toBe(10)
      expect(await reservationRowCount()).toBe(2)
      await expectNoDrift()
    })

    it("counts all reservations of one bulk call on the same level together", async () => {
      const service = db.service({ strictReservations: true })
      const itemId = await seedItem(service, { loc_1: 10, loc_2: 10 })

      await expectMedusaError(
        service.createReservationItems([
          { inventory_item_id: itemId, location_id: "loc_2", quantity: 1 },
          { inventory_item_id: itemId, location_id: "loc_1", quantity: 6 },
          { inventory_item_id: itemId, location_id: "loc_1", quantity: 5 },
        ]),
        MedusaError.Types.NOT_ALLOWED,
        undefined,
        MedusaError.Codes.INSUFFICIENT_INVENTORY
      )
      expect(await reservationRowCount()).toBe(0)
      expect(await reservedAt(itemId, "loc_1")).toBe(0)
      expect(await reservedAt(itemId, "loc_2")).toBe(0)

      const ok = await service.createReservationItems([
        { inventory_item_id: itemId, location_id: "loc_1", quantity: 6 },
        { inventory_item_id: itemId, location_id: "loc_1", quantity: 4 },
      ])
      expect(ok).toHaveLength(2)
      expect(await reservedAt(itemId, "loc_1")).toBe(10)
      await expectNoDrift()
    })

    it("allows overselling when the option is off (the default)", async () => {
      const service = db.service()
      const itemId = await seedItem(service, { loc_1: 10 })

      const reservation = await service.createReservationItem({ inventory_item_id: itemId, location_id: "loc_1", quantity: 15 })
      expect(reservation.quantity).toBe(15)
      expect(await reservedAt(itemId, "loc_1")).toBe(15)
      expect(await service.retrieveAvailableQuantity(itemId, ["loc_1"])).toBe(-5)
      await expectNoDrift()
    })

    it("lets exactly 10 of 30 concurrent single-unit reservations through against a stock of 10", async () => {
      const service = db.service({ strictReservations: true })
      const itemId = await seedItem(service, { loc_1: 10 })

      const results = await Promise.allSettled(
        Array.from({ length: 30 }, (_, i) =>
          service.createReservationItem({
            inventory_item_id: itemId,
            location_id: "loc_1",
            quantity: 1,
            line_item_id: `li_${i}`,
          })
        )
      )
      const fulfilled = results.filter((r) => r.status === "fulfilled")
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected")

      expect(fulfilled).toHaveLength(10)
      expect(rejected).toHaveLength(20)
      for (const failure of rejected) {
        expect(failure.reason).toBeInstanceOf(Error)
        expect((failure.reason as MedusaError).type).toBe(MedusaError.Types.NOT_ALLOWED)
        expect((failure.reason as MedusaError).code).toBe(MedusaError.Codes.INSUFFICIENT_INVENTORY)
      }
      expect(await reservedAt(itemId, "loc_1")).toBe(10)
      expect(await reservationRowCount()).toBe(10)
      await expectNoDrift()
    })
  })

  // ------------------------------------------------------------------ retrieve

  describe("retrieveReservationItem", () => {
    it("returns the stored reservation", async () => {
      const service = db.service()
      const itemId = await seedItem(service, { loc_1: 10 })
      const created = await service.createReservationItem({
        inventory_item_id: itemId,
        location_id: "loc_1",
        quantity: 2,
        line_item_id: "li_1",
        description: "d",
        created_by: "u",
        external_id: "x",
        metadata: { k: "v" },
      })

      const found = await service.retrieveReservationItem(created.id)
      expect(found).toEqual(created)
      expect(found).toMatchObject({ id: created.id, quantity: 2, external_id: "x", metadata: { k: "v" } })
    })

    it("throws NOT_FOUND for an unknown id", async () => {
      const service = db.service()
      await expectMedusaError(
        service.retrieveReservationItem("resitem_nope"),
        MedusaError.Types.NOT_FOUND,
        { exact: "ReservationItem with id resitem_nope was not found" }
      )
    })

    it("throws NOT_FOUND for a deleted reservation", async () => {
      const service = db.service()
      const itemId = await seedItem(service, { loc_1: 10 })
      const created = await service.createReservationItem({ inventory_item_id: itemId, location_id: "loc_1", quantity: 2 })
      await service.deleteReservationItem(created.id)

      await expectMedusaError(
        service.retrieveReservationItem(created.id),
        MedusaError.Types.NOT_FOUND,
        { exact: `ReservationItem with id ${created.id} was not found` }
      )
      await expectNoDrift()
    })
  })

  // ------------------------------------------------------------------ list

  describe("listReservationItems", () => {
    let service: InventoryService
    let itemA: string
    let itemB: string
    let r: ReservationItemDTO[]

    /** Five reservations over two items and two locations. */
    async function seedList(): Promise<void> {
      service = db.service()
      itemA = await seedItem(service, { loc_1: 100, loc_2: 100 })
      itemB = await seedItem(service, { loc_1: 100 })
      r = await service.createReservationItems([
        { inventory_item_id: itemA, location_id: "loc_1", quantity: 1, line_item_id: "li_1", description: "blue shirt", created_by: "user_1" },
        { inventory_item_id: itemA, location_id: "loc_1", quantity: 2, line_item_id: "li_2", description: "red shirt", created_by: "user_2" },
        { inventory_item_id: itemA, location_id: "loc_2", quantity: 3, line_item_id: "li_2", description: "pants", created_by: "user_1" },
        { inventory_item_id: itemB, location_id: "loc_1", quantity: 5, line_item_id: "li_3", description: "hat", created_by: "system" },
        { inventory_item_id: itemB, location_id: "loc_1", quantity: 8, line_item_id: "li_4", description: "blue hat", created_by: "system" },
      ])
    }

    const ids = (rows: ReservationItemDTO[]) => rows.map((row) => row.id).sort()
    const idsOf = (...indexes: number[]) => indexes.map((i) => r[i].id).sort()

    it("takes every argument as optional: listReservationItems() is { } with take 10", async () => {
      await seedList()
      const [rows, count] = await service.listReservationItems()
      expect(count).toBe(5)
      expect(ids(rows)).toEqual(idsOf(0, 1, 2, 3, 4))
      const [again] = await service.listReservationItems(undefined, undefined, undefined)
      expect(ids(again)).toEqual(ids(rows))
      // "" is a value like any other: it matches no reservation.
      expect(await service.listReservationItems({ location_id: "" })).toEqual([[], 0])
      expect(await service.listReservationItems({ line_item_id: [""] })).toEqual([[], 0])
    })

    async function expectFilter(selector: FilterableReservationItemProps, expected: number[]): Promise<void> {
      const [rows, count] = await service.listReservationItems(selector)
      expect(ids(rows)).toEqual(idsOf(...expected))
      expect(count).toBe(expected.length)
    }

    it("returns [rows, count] and takes 10 by default", async () => {
      service = db.service()
      const itemId = await seedItem(service, { loc_1: 100 })
      const created = await service.createReservationItems(
        Array.from({ length: 12 }, (_, i) => ({ inventory_item_id: itemId, location_id: "loc_1", quantity: 1, line_item_id: `li_${i}` }))
      )

      const result = await service.listReservationItems({})
      expect(Array.isArray(result)).toBe(true)
      const [rows, count] = result
      expect(rows).toHaveLength(10)
      expect(count).toBe(12)
      for (const row of rows) {
        expect(created.map((c) => c.id)).toContain(row.id)
      }
      await expectNoDrift()
    })

    it("filters by id, line_item_id, inventory_item_id and location_id (string and array)", async () => {
      await seedList()

      await expectFilter({ id: r[2].id }, [2])
      await expectFilter({ id: [r[0].id, r[4].id] }, [0, 4])
      await expectFilter({ line_item_id: "li_2" }, [1, 2])
      await expectFilter({ line_item_id: ["li_1", "li_4"] }, [0, 4])
      await expectFilter({ inventory_item_id: itemB }, [3, 4])
      await expectFilter({ inventory_item_id: [itemA] }, [0, 1, 2])
      await expectFilter({ location_id: "loc_2" }, [2])
      await expectFilter({ location_id: ["loc_1", "loc_2"] }, [0, 1, 2, 3, 4])
      await expectFilter({ location_id: "loc_1", inventory_item_id: itemA }, [0, 1])
      await expectFilter({ location_id: "loc_nowhere" }, [])
    })

    it("filters by quantity (number and lt/gt/lte/gte)", async () => {
      await seedList()

      await expectFilter({ quantity: 3 }, [2])
      await expectFilter({ quantity: { lt: 3 } }, [0, 1])
      await expectFilter({ quantity: { lte: 3 } }, [0, 1, 2])
      await expectFilter({ quantity: { gt: 3 } }, [3, 4])
      await expectFilter({ quantity: { gte: 3 } }, [2, 3, 4])
      await expectFilter({ quantity: { gt: 1, lt: 8 } }, [1, 2, 3])
    })

    it("filters by description (string and contains) and created_by", async () => {
      await seedList()

      await expectFilter({ description: "hat" }, [3])
      await expectFilter({ description: { contains: "shirt" } }, [0, 1])
      await expectFilter({ description: { contains: "blue" } }, [0, 4])
      await expectFilter({ created_by: "user_1" }, [0, 2])
      await expectFilter({ created_by: ["user_2", "system"] }, [1, 3, 4])
    })

    it("applies skip, take and order", async () => {
      await seedList()

      const [desc, descCount] = await service.listReservationItems({}, { order: { quantity: "DESC" } })
      expect(desc.map((row) => row.quantity)).toEqual([8, 5, 3, 2, 1])
      expect(descCount).toBe(5)

      const [page, count] = await service.listReservationItems({}, { order: { quantity: "DESC" }, skip: 1, take: 2 })
      expect(page.map((row) => row.id)).toEqual([r[3].id, r[2].id])
      expect(count).toBe(5)

      const [asc] = await service.listReservationItems({ inventory_item_id: itemA }, { order: { quantity: "ASC" }, take: 2 })
      expect(asc.map((row) => row.id)).toEqual([r[0].id, r[1].id])
    })

    it("lists deleted reservations only with withDeleted", async () => {
      await seedList()
      await service.deleteReservationItem(r[1].id)

      const [live, liveCount] = await service.listReservationItems({ inventory_item_id: itemA })
      expect(ids(live)).toEqual(idsOf(0, 2))
      expect(liveCount).toBe(2)

      const [all, allCount] = await service.listReservationItems({ inventory_item_id: itemA }, { withDeleted: true })
      expect(ids(all)).toEqual(idsOf(0, 1, 2))
      expect(allCount).toBe(3)
      expect(all.find((row) => row.id === r[1].id)?.deleted_at).not.toBeNull()
      await expectNoDrift()
    })

    it("refuses an unknown filter with INVALID_DATA", async () => {
      await seedList()
      const error = await expectMedusaError(
        service.listReservationItems({ colour: "blue" } as unknown as FilterableReservationItemProps),
        MedusaError.Types.INVALID_DATA
      )
      expect(error.message).toContain("colour")
    })
  })

  // ------------------------------------------------------------------ update

  describe("updateReservationItem", () => {
    it("adjusts reserved_quantity by the difference when the quantity changes", async () => {
      const service = db.service()
      const itemId = await seedItem(service, { loc_1: 100 })
      const [res, other] = await service.createReservationItems([
        { inventory_item_id: itemId, location_id: "loc_1", quantity: 5 },
        { inventory_item_id: itemId, location_id: "loc_1", quantity: 7 },
      ])
      expect(await reservedAt(itemId, "loc_1")).toBe(12)
      db.eventBus.clear()

      const up = await service.updateReservationItem(res.id, { quantity: 9 })
      expect(up).toMatchObject({ id: res.id, quantity: 9, location_id: "loc_1" })
      expect(await reservedAt(itemId, "loc_1")).toBe(16)

      const down = await service.updateReservationItem(res.id, { quantity: 2 })
      expect(down.quantity).toBe(2)
      expect(await reservedAt(itemId, "loc_1")).toBe(9)

      expect((await reservationRow(res.id)).quantity).toBe(2)
      expect((await reservationRow(other.id)).quantity).toBe(7)
      expect(events()).toEqual([
        { name: "reservation-item.updated", data: { id: res.id } },
        { name: "reservation-item.updated", data: { id: res.id } },
      ])
      await expectNoDrift()
    })

    it("moves a reservation: releases the old level and reserves the old quantity at the new one", async () => {
      const service = db.service()
      const itemId = await seedItem(service, { loc_1: 100, loc_2: 100 })
      const res = await service.createReservationItem({ inventory_item_id: itemId, location_id: "loc_1", quantity: 4 })
      await service.createReservationItem({ inventory_item_id: itemId, location_id: "loc_2", quantity: 1 })
      db.eventBus.clear()

      const moved = await service.updateReservationItem(res.id, { location_id: "loc_2" })
      expect(moved).toMatchObject({ id: res.id, location_id: "loc_2", quantity: 4 })
      expect(await reservedAt(itemId, "loc_1")).toBe(0)
      expect(await reservedAt(itemId, "loc_2")).toBe(5)
      expect(events()).toEqual([{ name: "reservation-item.updated", data: { id: res.id } }])
      await expectNoDrift()
    })

    it("moves a reservation with a new quantity: reserves the new quantity at the new level", async () => {
      const service = db.service()
      const itemId = await seedItem(service, { loc_1: 100, loc_2: 100 })
      const res = await service.createReservationItem({ inventory_item_id: itemId, location_id: "loc_1", quantity: 4 })

      const moved = await service.updateReservationItem(res.id, { location_id: "loc_2", quantity: 9 })
      expect(moved).toMatchObject({ location_id: "loc_2", quantity: 9 })
      expect(await reservedAt(itemId, "loc_1")).toBe(0)
      expect(await reservedAt(itemId, "loc_2")).toBe(9)

      const back = await service.updateReservationItem(res.id, { location_id: "loc_1", quantity: 3 })
      expect(back).toMatchObject({ location_id: "loc_1", quantity: 3 })
      expect(await reservedAt(itemId, "loc_1")).toBe(3)
      expect(await reservedAt(itemId, "loc_2")).toBe(0)
      await expectNoDrift()
    })

    it("refuses a move to a location without a level with NOT_FOUND and changes nothing", async () => {
      const service = db.service()
      const itemId = await seedItem(service, { loc_1: 100 })
      const res = await service.createReservationItem({ inventory_item_id: itemId, location_id: "loc_1", quantity: 4, description: "keep" })
      const before = await reservationRow(res.id)
      db.eventBus.clear()

      await expectMedusaError(
        service.updateReservationItem(res.id, { location_id: "loc_missing", quantity: 6, description: "changed" }),
        MedusaError.Types.NOT_FOUND,
        { exact: `Item ${itemId} is not stocked at location loc_missing` }
      )

      expect(await reservationRow(res.id)).toEqual(before)
      expect(await reservedAt(itemId, "loc_1")).toBe(4)
      expect(events()).toEqual([])
      await expectNoDrift()
    })

    it("updates description and metadata without touching quantities", async () => {
      const service = db.service()
      const itemId = await seedItem(service, { loc_1: 100 })
      const res = await service.createReservationItem({
        inventory_item_id: itemId,
        location_id: "loc_1",
        quantity: 4,
        description: "old",
        metadata: { a: 1 },
      })
      db.eventBus.clear()

      const updated = await service.updateReservationItem(res.id, { description: "new", metadata: { b: 2 } })
      expect(updated).toMatchObject({ id: res.id, description: "new", metadata: { b: 2 }, quantity: 4, location_id: "loc_1" })

      const stored = await service.retrieveReservationItem(res.id)
      expect(stored).toMatchObject({ description: "new", metadata: { b: 2 }, quantity: 4 })
      expect(await reservedAt(itemId, "loc_1")).toBe(4)
      expect(events()).toEqual([{ name: "reservation-item.updated", data: { id: res.id } }])
      await expectNoDrift()
    })

    it("throws NOT_FOUND for an unknown reservation", async () => {
      const service = db.service()
      await seedItem(service, { loc_1: 100 })
      db.eventBus.clear()

      await expectMedusaError(
        service.updateReservationItem("resitem_nope", { quantity: 2 }),
        MedusaError.Types.NOT_FOUND,
        { exact: "ReservationItem with id resitem_nope was not found" }
      )
      expect(events()).toEqual([])
    })

    it("refuses quantity 0 with INVALID_DATA and changes nothing", async () => {
      const service = db.service()
      const itemId = await seedItem(service, { loc_1: 100 })
      const res = await service.createReservationItem({ inventory_item_id: itemId, location_id: "loc_1", quantity: 4 })

      const error = await expectMedusaError(
        service.updateReservationItem(res.id, { quantity: 0 }),
        MedusaError.Types.INVALID_DATA
      )
      expect(error.message).toContain("quantity")
      expect((await reservationRow(res.id)).quantity).toBe(4)
      expect(await reservedAt(itemId, "loc_1")).toBe(4)
      await expectNoDrift()
    })

    it("in strict mode refuses an increase beyond availability but allows one up to it", async () => {
      const service = db.service({ strictReservations: true })
      const itemId = await seedItem(service, { loc_1: 10 })
      const res = await service.createReservationItem({ inventory_item_id: itemId, location_id: "loc_1", quantity: 4 })
      await service.createReservationItem({ inventory_item_id: itemId, location_id: "loc_1", quantity: 3 })
      db.eventBus.clear()

      // 3 more available: 4 -> 8 needs 4 more.
      await expectMedusaError(
        service.updateReservationItem(res.id, { quantity: 8 }),
        MedusaError.Types.NOT_ALLOWED,
        undefined,
        MedusaError.Codes.INSUFFICIENT_INVENTORY
      )
      expect((await reservationRow(res.id)).quantity).toBe(4)
      expect(await reservedAt(itemId, "loc_1")).toBe(7)
      expect(events()).toEqual([])

      const ok = await service.updateReservationItem(res.id, { quantity: 7 })
      expect(ok.quantity).toBe(7)
      expect(await reservedAt(itemId, "loc_1")).toBe(10)

      // Decreasing is always allowed, even at full reservation.
      const less = await service.updateReservationItem(res.id, { quantity: 1 })
      expect(less.quantity).toBe(1)
      expect(await reservedAt(itemId, "loc_1")).toBe(4)
      await expectNoDrift()
    })

    it("in strict mode refuses a move to a location without enough stock", async () => {
      const service = db.service({ strictReservations: true })
      const itemId = await seedItem(service, { loc_1: 10, loc_2: 5, loc_3: 20 })
      const res = await service.createReservationItem({ inventory_item_id: itemId, location_id: "loc_1", quantity: 6 })
      await service.createReservationItem({ inventory_item_id: itemId, location_id: "loc_2", quantity: 2 })
      db.eventBus.clear()

      await expectMedusaError(
        service.updateReservationItem(res.id, { location_id: "loc_2" }),
        MedusaError.Types.NOT_ALLOWED,
        undefined,
        MedusaError.Codes.INSUFFICIENT_INVENTORY
      )
      await expectMedusaError(
        service.updateReservationItem(res.id, { location_id: "loc_2", quantity: 4 }),
        MedusaError.Types.NOT_ALLOWED,
        undefined,
        MedusaError.Codes.INSUFFICIENT_INVENTORY
      )
      expect(await reservationRow(res.id)).toMatchObject({ location_id: "loc_1", quantity: 6 })
      expect(await reservedAt(itemId, "loc_1")).toBe(6)
      expect(await reservedAt(itemId, "loc_2")).toBe(2)
      expect(events()).toEqual([])

      const moved = await service.updateReservationItem(res.id, { location_id: "loc_2", quantity: 3 })
      expect(moved).toMatchObject({ location_id: "loc_2", quantity: 3 })
      expect(await reservedAt(itemId, "loc_1")).toBe(0)
      expect(await reservedAt(itemId, "loc_2")).toBe(5)

      const movedAgain = await service.updateReservationItem(res.id, { location_id: "loc_3" })
      expect(movedAgain).toMatchObject({ location_id: "loc_3", quantity: 3 })
      expect(await reservedAt(itemId, "loc_2")).toBe(2)
      expect(await reservedAt(itemId, "loc_3")).toBe(3)
      await expectNoDrift()
    })

    it("keeps reserved_quantity exact under 50 concurrent quantity updates of one reservation", async () => {
      const service = db.service()
      const itemId = await seedItem(service, { loc_1: 1000 })
      const res = await service.createReservationItem({ inventory_item_id: itemId, location_id: "loc_1", quantity: 5 })
      const quantities = Array.from({ length: 50 }, () => 1 + Math.floor(Math.random() * 100))

      const results = await Promise.allSettled(
        quantities.map((quantity) => service.updateReservationItem(res.id, { quantity }))
      )
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected")
      expect(rejected.map((r) => String(r.reason))).toEqual([])

      expect(await reservedDrift(db)).toEqual([])
      const final = await service.retrieveReservationItem(res.id)
      expect(quantities).toContain(final.quantity)
      expect(await reservedAt(itemId, "loc_1")).toBe(final.quantity)
    })

    it("keeps every level exact under 50 concurrent moves and quantity updates of one reservation", async () => {
      const service = db.service()
      const itemId = await seedItem(service, { loc_1: 1000, loc_2: 1000, loc_3: 1000 })
      const res = await service.createReservationItem({ inventory_item_id: itemId, location_id: "loc_1", quantity: 5 })
      const locations = ["loc_1", "loc_2", "loc_3"]
      const updates: UpdateReservationItemInput[] = Array.from({ length: 50 }, (_, i) => ({
        location_id: locations[Math.floor(Math.random() * 3)],
        ...(i % 2 === 0 ? { quantity: 1 + Math.floor(Math.random() * 100) } : {}),
      }))

      const results = await Promise.allSettled(updates.map((update) => service.updateReservationItem(res.id, update)))
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected")
      expect(rejected.map((r) => String(r.reason))).toEqual([])

      expect(await reservedDrift(db)).toEqual([])
      const final = await service.retrieveReservationItem(res.id)
      for (const location of locations) {
        expect(await reservedAt(itemId, location)).toBe(location === final.location_id ? final.quantity : 0)
      }
    })
  })

  // ------------------------------------------------------------------ delete

  describe("deleteReservationItem", () => {
    it("deletes one reservation by id, releases it and emits { ids }", async () => {
      const service = db.service()
      const itemId = await seedItem(service, { loc_1: 100 })
      const [res, other] = await service.createReservationItems([
        { inventory_item_id: itemId, location_id: "loc_1", quantity: 4 },
        { inventory_item_id: itemId, location_id: "loc_1", quantity: 6 },
      ])
      db.eventBus.clear()

      await service.deleteReservationItem(res.id)

      expect((await reservationRow(res.id)).deleted_at).not.toBeNull()
      expect((await reservationRow(other.id)).deleted_at).toBeNull()
      expect(await reservedAt(itemId, "loc_1")).toBe(6)
      expect(events()).toEqual([{ name: "reservation-item.deleted", data: { ids: res.id } }])
      await expectNoDrift()
    })

    it("deletes more than 10 reservations by an array of ids and releases each", async () => {
      const service = db.service()
      const itemA = await seedItem(service, { loc_1: 100, loc_2: 100 })
      const itemB = await seedItem(service, { loc_1: 100 })
      const inputs: CreateReservationItemInput[] = Array.from({ length: 15 }, (_, i) => ({
        inventory_item_id: i % 3 === 2 ? itemB : itemA,
        location_id: i % 3 === 1 ? "loc_2" : "loc_1",
        quantity: i + 1,
      }))
      const created = await service.createReservationItems(inputs)
      const keep = await service.createReservationItem({ inventory_item_id: itemA, location_id: "loc_1", quantity: 2 })
      db.eventBus.clear()

      const ids = created.map((r) => r.id)
      await service.deleteReservationItem(ids)

      const rows = await db.query<{ id: string }>(
        `SELECT id FROM reservation_item WHERE deleted_at IS NULL`
      )
      expect(rows.map((row) => row.id)).toEqual([keep.id])
      expect(await reservedAt(itemA, "loc_1")).toBe(2)
      expect(await reservedAt(itemA, "loc_2")).toBe(0)
      expect(await reservedAt(itemB, "loc_1")).toBe(0)
      expect(events()).toEqual([{ name: "reservation-item.deleted", data: { ids } }])
      await expectNoDrift()
    })

    it("releases a reservation once when it is deleted 5 times concurrently", async () => {
      const service = db.service()
      const itemId = await seedItem(service, { loc_1: 100 })
      const [res] = await service.createReservationItems([
        { inventory_item_id: itemId, location_id: "loc_1", quantity: 3 },
        { inventory_item_id: itemId, location_id: "loc_1", quantity: 4 },
      ])

      const results = await Promise.allSettled(Array.from({ length: 5 }, () => service.deleteReservationItem(res.id)))
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected")
      expect(rejected.map((r) => String(r.reason))).toEqual([])

      const reserved = await reservedAt(itemId, "loc_1")
      expect(reserved).toBeGreaterThanOrEqual(0)
      expect(reserved).toBe(4)
      expect((await reservationRow(res.id)).deleted_at).not.toBeNull()
      await expectNoDrift()
    })
  })

  describe("deleteReservationItemsByLineItem", () => {
    it("deletes and releases more than 10 reservations of one line item and emits { line_item_id }", async () => {
      const service = db.service()
      const itemA = await seedItem(service, { loc_1: 100, loc_2: 100 })
      const itemB = await seedItem(service, { loc_1: 100 })
      await service.createReservationItems(
        Array.from({ length: 12 }, (_, i) => ({
          inventory_item_id: i % 2 ? itemB : itemA,
          location_id: i % 4 === 2 ? "loc_2" : "loc_1",
          quantity: 1 + i,
          line_item_id: "li_1",
        }))
      )
      const other = await service.createReservationItem({ inventory_item_id: itemA, location_id: "loc_1", quantity: 5, line_item_id: "li_2" })
      db.eventBus.clear()

      await service.deleteReservationItemsByLineItem("li_1")

      const [live, count] = await service.listReservationItems({}, { take: 100 })
      expect(live.map((r) => r.id)).toEqual([other.id])
      expect(count).toBe(1)
      const [deleted] = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM reservation_item WHERE line_item_id = 'li_1' AND deleted_at IS NOT NULL`
      )
      expect(deleted.n).toBe(12)
      expect(await reservedAt(itemA, "loc_1")).toBe(5)
      expect(await reservedAt(itemA, "loc_2")).toBe(0)
      expect(await reservedAt(itemB, "loc_1")).toBe(0)
      expect(events()).toEqual([{ name: "reservation-item.deleted", data: { line_item_id: "li_1" } }])
      await expectNoDrift()
    })

    it("deletes the reservations of several line items given as an array", async () => {
      const service = db.service()
      const itemId = await seedItem(service, { loc_1: 100 })
      await service.createReservationItems([
        { inventory_item_id: itemId, location_id: "loc_1", quantity: 1, line_item_id: "li_1" },
        { inventory_item_id: itemId, location_id: "loc_1", quantity: 2, line_item_id: "li_2" },
        { inventory_item_id: itemId, location_id: "loc_1", quantity: 2, line_item_id: "li_2" },
        { inventory_item_id: itemId, location_id: "loc_1", quantity: 7, line_item_id: "li_3" },
      ])
      db.eventBus.clear()

      await service.deleteReservationItemsByLineItem(["li_1", "li_2"])

      const [live] = await service.listReservationItems({})
      expect(live.map((r) => r.line_item_id)).toEqual(["li_3"])
      expect(await reservedAt(itemId, "loc_1")).toBe(7)
      expect(events()).toEqual([
        { name: "reservation-item.deleted", data: { line_item_id: ["li_1", "li_2"] } },
      ])
      await expectNoDrift()
    })
  })

  describe("deleteReservationItemByLocationId", () => {
    it("deletes the reservations at a location, releases them and emits { location_id }", async () => {
      const service = db.service()
      const itemA = await seedItem(service, { loc_1: 100, loc_2: 100 })
      const itemB = await seedItem(service, { loc_1: 100, loc_2: 100 })
      const created = await service.createReservationItems([
        { inventory_item_id: itemA, location_id: "loc_1", quantity: 1 },
        { inventory_item_id: itemA, location_id: "loc_1", quantity: 2 },
        { inventory_item_id: itemB, location_id: "loc_1", quantity: 3 },
        { inventory_item_id: itemA, location_id: "loc_2", quantity: 4 },
        { inventory_item_id: itemB, location_id: "loc_2", quantity: 5 },
      ])
      db.eventBus.clear()

      await service.deleteReservationItemByLocationId("loc_1")

      const [live] = await service.listReservationItems({})
      expect(live.map((r) => r.id).sort()).toEqual([created[3].id, created[4].id].sort())
      expect(await reservedAt(itemA, "loc_1")).toBe(0)
      expect(await reservedAt(itemB, "loc_1")).toBe(0)
      expect(await reservedAt(itemA, "loc_2")).toBe(4)
      expect(await reservedAt(itemB, "loc_2")).toBe(5)
      expect(events()).toEqual([{ name: "reservation-item.deleted", data: { location_id: "loc_1" } }])
      await expectNoDrift()
    })

    it("accepts an array of locations", async () => {
      const service = db.service()
      const itemId = await seedItem(service, { loc_1: 100, loc_2: 100, loc_3: 100 })
      await service.createReservationItems([
        { inventory_item_id: itemId, location_id: "loc_1", quantity: 1 },
        { inventory_item_id: itemId, location_id: "loc_2", quantity: 2 },
        { inventory_item_id: itemId, location_id: "loc_3", quantity: 3 },
      ])
      db.eventBus.clear()

      await service.deleteReservationItemByLocationId(["loc_1", "loc_3"])

      const [live] = await service.listReservationItems({})
      expect(live.map((r) => r.location_id)).toEqual(["loc_2"])
      expect(await reservedAt(itemId, "loc_1")).toBe(0)
      expect(await reservedAt(itemId, "loc_2")).toBe(2)
      expect(await reservedAt(itemId, "loc_3")).toBe(0)
      expect(events()).toEqual([
        { name: "reservation-item.deleted", data: { location_id: ["loc_1", "loc_3"] } },
      ])
      await expectNoDrift()
    })

    it("also deletes reservations whose level was deleted, releasing only live levels", async () => {
      const service = db.service()
      const itemA = await seedItem(service, { loc_1: 100 })
      const itemB = await seedItem(service, { loc_1: 100 })
      const [resA, resB] = await service.createReservationItems([
        { inventory_item_id: itemA, location_id: "loc_1", quantity: 3 },
        { inventory_item_id: itemB, location_id: "loc_1", quantity: 4 },
      ])
      await service.deleteInventoryLevel(itemB, "loc_1")

      await service.deleteReservationItemByLocationId("loc_1")

      expect((await reservationRow(resA.id)).deleted_at).not.toBeNull()
      expect((await reservationRow(resB.id)).deleted_at).not.toBeNull()
      expect(await reservedAt(itemA, "loc_1")).toBe(0)
      await expectNoDrift()
    })
  })
})
