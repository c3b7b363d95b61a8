import type { InventoryLevelDTO } from "@medusajs/types"
import { MedusaError } from "@medusajs/utils"
import type InventoryService from "../../src/services/inventory"
import { ledgerImbalance, reservedDrift, setupTestDatabase, TestDatabase } from "../utils/database"
import { expectMedusaError } from "../utils/errors"

/**
 * Warehouse operations against a real PostgreSQL: units set aside (setAsideStock,
 * releaseSetAside) and transfers between locations (transferStock, receiveTransfer,
 * listTransfers). After every test the ledger balances (I6, incoming and set-aside quantities
 * included) and reserved quantities equal live reservations (I2). Every refusal is checked to
 * have written nothing by reading the tables.
 */

type Level = InventoryLevelDTO & { unavailable: { damaged: number; quality_control: number; safety_stock: number } }

describe("warehouse operations", () => {
  let db: TestDatabase
  let service: InventoryService

  beforeAll(async () => {
    db = await setupTestDatabase("mit_wh", 20)
    service = db.service()
  })
  beforeEach(async () => {
    await db.truncate()
  })
  afterEach(async () => {
    expect(await ledgerImbalance(db)).toEqual([])
    expect(await reservedDrift(db)).toEqual([])
  })
  afterAll(async () => {
    await db.close()
  })

  async function stocked(itemId: string, stock: Record<string, number>, svc = service): Promise<void> {
    for (const [location_id, stocked_quantity] of Object.entries(stock)) {
      await svc.createInventoryLevel({ inventory_item_id: itemId, location_id, stocked_quantity })
    }
  }

  async function item(sku = `SKU-${Math.random().toString(36).slice(2, 8)}`): Promise<string> {
    return (await service.createInventoryItem({ sku })).id
  }

  async function level(itemId: string, locationId: string): Promise<Level> {
    return (await service.retrieveInventoryLevel(itemId, locationId)) as Level
  }

  /** The level's raw columns, to check that a refusal wrote nothing. */
  async function raw(itemId: string): Promise<unknown[]> {
    return db.query(
      `SELECT location_id, stocked_quantity, reserved_quantity, incoming_quantity, damaged_quantity, quality_control_quantity,
              safety_stock_quantity, updated_at FROM inventory_level WHERE inventory_item_id = $1 ORDER BY location_id`,
      [itemId]
    )
  }

  async function counts(): Promise<{ movements: number; transfers: number }> {
    const [row] = await db.query(`SELECT (SELECT count(*) FROM inventory_movement)::int AS movements, (SELECT count(*) FROM inventory_transfer)::int AS transfers`)
    return row
  }

  describe("units set aside", () => {
    it("take units out of stocked into the level's unavailable breakdown; availability follows; the movement carries the state", async () => {
      const id = await item()
      await stocked(id, { wh_a: 10 })
      await service.createReservationItem({ inventory_item_id: id, location_id: "wh_a", quantity: 3 })
      db.eventBus.clear()
      const after = (await service.setAsideStock({
        inventory_item_id: id,
        location_id: "wh_a",
        quantity: 2,
        state: "damaged",
        reference: "RMA-7",
        actor: "picker-2",
      })) as Level
      expect(after).toMatchObject({ stocked_quantity: 8, reserved_quantity: 3, unavailable: { damaged: 2, quality_control: 0, safety_stock: 0 } })
      await service.setAsideStock({ inventory_item_id: id, location_id: "wh_a", quantity: 1, state: "quality_control" })
      expect((await level(id, "wh_a")).unavailable).toEqual({ damaged: 2, quality_control: 1, safety_stock: 0 })
      // Medusa's own availability: stocked − reserved, the units set aside excluded.
      expect(await service.retrieveAvailableQuantity(id, ["wh_a"])).toBe(4)
      expect(await service.confirmInventory(id, ["wh_a"], 5)).toBe(false)
      // The level lists carry the breakdown too, and `select` may name it.
      const [[listed]] = await service.listInventoryLevels({ inventory_item_id: id })
      expect(listed).toMatchObject({ stocked_quantity: 7, unavailable: { damaged: 2, quality_control: 1, safety_stock: 0 } })
      const [[selected]] = await service.listInventoryLevels({ inventory_item_id: id }, { select: ["stocked_quantity", "unavailable"] as never[] })
      expect(selected).toEqual({ id: listed.id, stocked_quantity: 7, unavailable: { damaged: 2, quality_control: 1, safety_stock: 0 } })
      const [[official]] = await service.listInventoryLevels({ inventory_item_id: id }, { select: ["stocked_quantity"] })
      expect(official).toEqual({ id: listed.id, stocked_quantity: 7 })
      const [movements] = await service.listInventoryMovements({ inventory_item_id: id, reason: "set_aside" }, { order: { created_at: "ASC" } })
      expect(movements).toMatchObject([
        { stocked_delta: -2, damaged_delta: 2, quality_control_delta: 0, state: "damaged", reference: "RMA-7", actor: "picker-2", stocked_after: 8 },
        { stocked_delta: -1, quality_control_delta: 1, state: "quality_control", stocked_after: 7 },
      ])
      expect(db.eventBus.names()).toEqual(["inventory-level.updated", "inventory-level.updated"])
    })

    it("refuse setting aside more than is available (stocked − reserved) with CONFLICT, writing nothing", async () => {
      const id = await item()
      await stocked(id, { wh_a: 5 })
      await service.createReservationItem({ inventory_item_id: id, location_id: "wh_a", quantity: 4 })
      const before = [await raw(id), await counts()]
      const error = await expectMedusaError(service.setAsideStock({ inventory_item_id: id, location_id: "wh_a", quantity: 2, state: "damaged" }), MedusaError.Types.CONFLICT, {
        exact: `Not enough available stock of item ${id} at location wh_a to set aside 2 unit(s) as damaged: 2 needed, 1 available`,
      })
      expect((error as { data?: unknown }).data).toEqual({ inventory_item_id: id, location_id: "wh_a", requested: 2, available: 1 })
      expect([await raw(id), await counts()]).toEqual(before)
      await expect(service.setAsideStock({ inventory_item_id: id, location_id: "wh_b", quantity: 1, state: "damaged" })).rejects.toMatchObject({
        type: MedusaError.Types.NOT_FOUND,
        message: `Item ${id} is not stocked at location wh_b`,
      })
    })

    it("release to stocked or discard them; releasing more than is held is CONFLICT", async () => {
      const id = await item()
      await stocked(id, { wh_a: 10 })
      await service.setAsideStock({ inventory_item_id: id, location_id: "wh_a", quantity: 4, state: "quality_control" })
      const back = (await service.releaseSetAside({ inventory_item_id: id, location_id: "wh_a", quantity: 3, state: "quality_control", to: "stocked" })) as Level
      expect(back).toMatchObject({ stocked_quantity: 9, unavailable: { quality_control: 1 } })
      const gone = (await service.releaseSetAside({ inventory_item_id: id, location_id: "wh_a", quantity: 1, state: "quality_control", to: "discard" })) as Level
      expect(gone).toMatchObject({ stocked_quantity: 9, unavailable: { damaged: 0, quality_control: 0, safety_stock: 0 } })
      const before = await raw(id)
      await expect(
        service.releaseSetAside({ inventory_item_id: id, location_id: "wh_a", quantity: 1, state: "quality_control", to: "stocked" })
      ).rejects.toMatchObject({
        type: MedusaError.Types.CONFLICT,
        message: `Cannot release 1 quality_control unit(s) of item ${id} at location wh_a: 0 set aside`,
      })
      expect(await raw(id)).toEqual(before)
      const [movements] = await service.listInventoryMovements({ inventory_item_id: id, state: "quality_control" }, { order: { created_at: "ASC" } })
      expect(movements.map((m) => [m.reason, m.stocked_delta, m.quality_control_delta])).toEqual([
        ["set_aside", -4, 4],
        ["returned_to_stock", 3, -3],
        ["discarded", 0, -1],
      ])
    })

    it("bad input is INVALID_DATA naming the field, before any SQL", async () => {
      const id = await item()
      await stocked(id, { wh_a: 10 })
      const base = { inventory_item_id: id, location_id: "wh_a", quantity: 1, state: "damaged" }
      const cases: [unknown, string][] = [
        [{ ...base, state: "lost" }, `"input.state" must be one of "damaged", "quality_control", "safety_stock" (got "lost")`],
        [{ ...base, quantity: 0 }, `"input.quantity" must be a positive integer (got 0)`],
        [{ ...base, quantity: 1.5 }, `"input.quantity" must be a positive integer (got 1.5)`],
        [{ ...base, quantity: "2" }, `"input.quantity" must be a positive integer (got "2")`],
        [{ ...base, shelf: "B" }, `"input" has unknown field(s): "shelf"`],
        [{ ...base, inventory_item_id: "" }, `"input.inventory_item_id" must not be empty (got "")`],
      ]
      for (const [input, message] of cases) {
        await expectMedusaError(service.setAsideStock(input as never), MedusaError.Types.INVALID_DATA, { exact: message })
      }
      await expectMedusaError(service.releaseSetAside({ ...base, to: "shelf" } as never), MedusaError.Types.INVALID_DATA, {
        exact: `"input.to" must be "stocked" or "discard" (got "shelf")`,
      })
      await expect(service.listInventoryLevels({ damaged_quantity: 1 } as never)).rejects.toThrow(`Unknown filter "damaged_quantity" for inventory levels`)
      expect((await level(id, "wh_a")).stocked_quantity).toBe(10)
    })

    it("under 30 concurrent set-asides and checkouts, no level goes below its reservations", async () => {
      const strict = db.service({ strictReservations: true })
      const id = await item()
      await stocked(id, { wh_a: 12 })
      const calls = Array.from({ length: 30 }, (_, i) =>
        i % 2 === 0
          ? strict.setAsideStock({ inventory_item_id: id, location_id: "wh_a", quantity: 1, state: "damaged" }).then(() => "aside")
          : strict.createReservationItem({ inventory_item_id: id, location_id: "wh_a", quantity: 1 }).then(() => "reserved")
      )
      const results = await Promise.allSettled(calls)
      const done = results.filter((r) => r.status === "fulfilled").map((r) => (r as PromiseFulfilledResult<string>).value)
      expect(done).toHaveLength(12)
      for (const r of results) if (r.status === "rejected") expect([MedusaError.Types.CONFLICT, MedusaError.Types.NOT_ALLOWED]).toContain(r.reason.type)
      const after = await level(id, "wh_a")
      expect(after.stocked_quantity - after.reserved_quantity).toBe(0)
      expect(after.unavailable.damaged + after.stocked_quantity).toBe(12)
      expect(after.unavailable.damaged).toBe(done.filter((d) => d === "aside").length)
    })

    it("apply once per idempotency key; a level deleted and restored with its item takes its units set aside along (I6)", async () => {
      const id = await item()
      await stocked(id, { wh_a: 10 })
      const input = { inventory_item_id: id, location_id: "wh_a", quantity: 2, state: "safety_stock" as const, idempotency_key: "aside-1" }
      const results = await Promise.all(Array.from({ length: 10 }, () => service.setAsideStock(input)))
      expect(new Set(results.map((r) => (r as Level).unavailable.safety_stock))).toEqual(new Set([2]))
      expect((await level(id, "wh_a")).unavailable.safety_stock).toBe(2)
      await expect(service.setAsideStock({ ...input, quantity: 3 })).rejects.toMatchObject({ type: MedusaError.Types.CONFLICT })
      await service.deleteInventoryItem(id)
      expect(await ledgerImbalance(db)).toEqual([])
      await service.restoreInventoryItem(id)
      expect((await level(id, "wh_a")).unavailable).toEqual({ damaged: 0, quality_control: 0, safety_stock: 2 })
    })

    it("roll back with the caller's transaction", async () => {
      const id = await item()
      await stocked(id, { wh_a: 10 })
      const before = [await raw(id), await counts()]
      await expect(
        db.dataSource.transaction(async (manager) => {
          await service.setAsideStock({ inventory_item_id: id, location_id: "wh_a", quantity: 2, state: "damaged" }, { transactionManager: manager })
          throw new Error("the caller fails")
        })
      ).rejects.toThrow("the caller fails")
      expect([await raw(id), await counts()]).toEqual(before)
    })
  })

  describe("transfers", () => {
    it("immediate: −n at the source, +n at the destination, two movements sharing the transfer's id", async () => {
      const id = await item()
      await stocked(id, { wh_a: 10, wh_b: 1 })
      db.eventBus.clear()
      const transfer = await service.transferStock({ inventory_item_id: id, from_location_id: "wh_a", to_location_id: "wh_b", quantity: 4, reference: "TR-1" })
      expect(transfer).toMatchObject({
        id: expect.stringMatching(/^itrf_/),
        status: "received",
        quantity: 4,
        received_quantity: 4,
        lost_quantity: 0,
        reference: "TR-1",
        received_at: expect.any(Date),
        created_at: expect.any(Date),
      })
      expect([(await level(id, "wh_a")).stocked_quantity, (await level(id, "wh_b")).stocked_quantity]).toEqual([6, 5])
      const [movements] = await service.listInventoryMovements({ transfer_id: transfer.id }, { order: { location_id: "ASC" } })
      expect(movements.map((m) => [m.location_id, m.reason, m.stocked_delta, m.incoming_delta, m.stocked_after])).toEqual([
        ["wh_a", "transfer_out", -4, 0, 6],
        ["wh_b", "transfer_in", 4, 0, 5],
      ])
      expect(db.eventBus.names().sort()).toEqual(["inventory-level.updated", "inventory-level.updated", "inventory-transfer.created"])
    })

    it("in transit: into the destination's incoming_quantity; a full receipt and a short one (transfer_loss), each closing its transfer", async () => {
      const id = await item()
      await stocked(id, { wh_a: 20, wh_b: 0 })
      const first = await service.transferStock({ inventory_item_id: id, from_location_id: "wh_a", to_location_id: "wh_b", quantity: 5, in_transit: true })
      const second = await service.transferStock({ inventory_item_id: id, from_location_id: "wh_a", to_location_id: "wh_b", quantity: 6, in_transit: true })
      expect(first).toMatchObject({ status: "in_transit", received_quantity: null, lost_quantity: null, received_at: null })
      expect(await level(id, "wh_b")).toMatchObject({ stocked_quantity: 0, incoming_quantity: 11 })
      expect((await level(id, "wh_a")).stocked_quantity).toBe(9)
      const [open, openCount] = await service.listTransfers({ status: "in_transit" })
      expect([open.map((t) => t.id), openCount]).toEqual([[second.id, first.id], 2])

      expect(await service.receiveTransfer(first.id, { received_quantity: 5 })).toMatchObject({ status: "received", received_quantity: 5, lost_quantity: 0 })
      const short = await service.receiveTransfer(second.id, { received_quantity: 4, reference: "GRN-9" })
      expect(short).toMatchObject({ status: "received", received_quantity: 4, lost_quantity: 2, received_at: expect.any(Date) })
      expect(await level(id, "wh_b")).toMatchObject({ stocked_quantity: 9, incoming_quantity: 0 })
      const [movements] = await service.listInventoryMovements({ transfer_id: second.id }, { order: { created_at: "ASC" } })
      expect(movements.map((m) => [m.location_id, m.reason, m.stocked_delta, m.incoming_delta])).toEqual([
        ["wh_a", "transfer_out", -6, 0],
        ["wh_b", "transfer_in_transit", 0, 6],
        ["wh_b", "transfer_received", 4, -4],
        ["wh_b", "transfer_loss", 0, -2],
      ])
      // Closed: a second receipt is refused; so is more than was sent, and an unknown transfer.
      await expect(service.receiveTransfer(second.id, { received_quantity: 1 })).rejects.toMatchObject({
        type: MedusaError.Types.CONFLICT,
        message: `Transfer ${second.id} is received, not in transit: nothing to receive`,
      })
      const third = await service.transferStock({ inventory_item_id: id, from_location_id: "wh_a", to_location_id: "wh_b", quantity: 1, in_transit: true })
      await expect(service.receiveTransfer(third.id, { received_quantity: 2 })).rejects.toMatchObject({
        type: MedusaError.Types.INVALID_DATA,
        message: `"received_quantity" must not exceed the transfer's quantity 1 (got 2)`,
      })
      await expect(service.receiveTransfer("itrf_none", { received_quantity: 0 })).rejects.toMatchObject({ type: MedusaError.Types.NOT_FOUND })
      expect(await service.receiveTransfer(third.id, { received_quantity: 0 })).toMatchObject({ received_quantity: 0, lost_quantity: 1 })
    })

    it("refuse a source without the available quantity with CONFLICT naming the source, the need and what is available; nothing written", async () => {
      const id = await item()
      await stocked(id, { wh_a: 6, wh_b: 0 })
      await service.createReservationItem({ inventory_item_id: id, location_id: "wh_a", quantity: 4 })
      await service.setAsideStock({ inventory_item_id: id, location_id: "wh_a", quantity: 1, state: "damaged" })
      const before = [await raw(id), await counts()]
      const error = await expectMedusaError(
        service.transferStock({ inventory_item_id: id, from_location_id: "wh_a", to_location_id: "wh_b", quantity: 2 }),
        MedusaError.Types.CONFLICT,
        { exact: `Not enough available stock of item ${id} at location wh_a to transfer 2 unit(s) to location wh_b: 2 needed, 1 available` }
      )
      expect((error as { data?: unknown }).data).toEqual({ inventory_item_id: id, location_id: "wh_a", requested: 2, available: 1 })
      expect([await raw(id), await counts()]).toEqual(before)
      await expect(service.transferStock({ inventory_item_id: id, from_location_id: "wh_a", to_location_id: "wh_z", quantity: 1 })).rejects.toMatchObject({
        type: MedusaError.Types.NOT_FOUND,
        message: `Item ${id} is not stocked at location wh_z`,
      })
      expect([await raw(id), await counts()]).toEqual(before)
    })

    it("bad input is INVALID_DATA naming the field", async () => {
      const base = { inventory_item_id: "iitem_x", from_location_id: "wh_a", to_location_id: "wh_b", quantity: 1 }
      const cases: [unknown, string][] = [
        [{ ...base, to_location_id: "wh_a" }, `"input.to_location_id" must differ from from_location_id (got "wh_a")`],
        [{ ...base, quantity: -1 }, `"input.quantity" must be a positive integer (got -1)`],
        [{ ...base, in_transit: "yes" }, `"input.in_transit" must be a boolean (got "yes")`],
        [{ ...base, from: "wh_a" }, `"input" has unknown field(s): "from"`],
        [{ ...base, from_location_id: undefined }, `"input.from_location_id" is required`],
      ]
      for (const [input, message] of cases) {
        await expectMedusaError(service.transferStock(input as never), MedusaError.Types.INVALID_DATA, { exact: message })
      }
      await expectMedusaError(service.receiveTransfer("itrf_1", { received_quantity: -2 }), MedusaError.Types.INVALID_DATA, {
        exact: `"input.received_quantity" must not be negative (got -2)`,
      })
      expect(await counts()).toEqual({ movements: 0, transfers: 0 })
    })

    it("transfers racing checkouts never oversell the source (strictReservations): 40 calls for 10 units, exactly 10 succeed", async () => {
      const strict = db.service({ strictReservations: true })
      const id = await item()
      await stocked(id, { wh_a: 10, wh_b: 0 }, strict)
      const calls = Array.from({ length: 40 }, (_, i) => {
        if (i % 4 === 0) return strict.transferStock({ inventory_item_id: id, from_location_id: "wh_a", to_location_id: "wh_b", quantity: 1 })
        if (i % 4 === 1) return strict.transferStock({ inventory_item_id: id, from_location_id: "wh_a", to_location_id: "wh_b", quantity: 1, in_transit: true })
        return strict.createReservationItem({ inventory_item_id: id, location_id: "wh_a", quantity: 1, line_item_id: `li_${i}` })
      })
      const results = await Promise.allSettled(calls)
      const ok = results.filter((r) => r.status === "fulfilled").length
      expect(ok).toBe(10)
      for (const r of results) if (r.status === "rejected") expect([MedusaError.Types.CONFLICT, MedusaError.Types.NOT_ALLOWED]).toContain(r.reason.type)
      const source = await level(id, "wh_a")
      const [transfers] = await service.listTransfers({ inventory_item_id: id }, { take: 100 })
      const moved = transfers.reduce((n, t) => n + t.quantity, 0)
      expect(source.stocked_quantity).toBe(10 - moved)
      expect(source.reserved_quantity + moved).toBe(10)
      expect(source.stocked_quantity - source.reserved_quantity).toBe(0)
      const destination = await level(id, "wh_b")
      expect(destination.stocked_quantity + destination.incoming_quantity).toBe(moved)
    })

    it("20 concurrent calls with one idempotency key make one transfer; the key with another request is CONFLICT", async () => {
      const id = await item()
      await stocked(id, { wh_a: 10, wh_b: 0 })
      const input = { inventory_item_id: id, from_location_id: "wh_a", to_location_id: "wh_b", quantity: 3, in_transit: true, idempotency_key: "tr-key" }
      const results = await Promise.all(Array.from({ length: 20 }, () => service.transferStock(input)))
      expect(new Set(results.map((t) => t.id)).size).toBe(1)
      expect(results[0].created_at).toBeInstanceOf(Date)
      expect((await level(id, "wh_a")).stocked_quantity).toBe(7)
      expect((await counts()).transfers).toBe(1)
      await expect(service.transferStock({ ...input, quantity: 4 })).rejects.toMatchObject({ type: MedusaError.Types.CONFLICT })
      const receipts = await Promise.all(
        Array.from({ length: 5 }, () => service.receiveTransfer(results[0].id, { received_quantity: 3, idempotency_key: "rcv-key" }))
      )
      expect(receipts.every((r) => r.status === "received")).toBe(true)
      expect((await level(id, "wh_b")).stocked_quantity).toBe(3)
    })

    it("roll back whole: with the caller's transaction, and when the destination is missing", async () => {
      const id = await item()
      await stocked(id, { wh_a: 10, wh_b: 0 })
      const before = [await raw(id), await counts()]
      await expect(
        db.dataSource.transaction(async (manager) => {
          await service.transferStock({ inventory_item_id: id, from_location_id: "wh_a", to_location_id: "wh_b", quantity: 2 }, { transactionManager: manager })
          throw new Error("the caller fails")
        })
      ).rejects.toThrow("the caller fails")
      expect([await raw(id), await counts()]).toEqual(before)
    })
  })

  describe("the Stock page's levels (listStockLevels)", () => {
    it("lists levels with sku, title, available, threshold and units set aside; filters by location and text; the low-stock report", async () => {
      const module = db.service({ lowStockThreshold: 3 })
      const a = (await module.createInventoryItem({ sku: "LOW-A", title: "Apron" })).id
      const b = (await module.createInventoryItem({ sku: "LOW-B", title: "Boot" })).id
      await module.createInventoryLevels([
        { inventory_item_id: a, location_id: "wh_1", stocked_quantity: 2 },
        { inventory_item_id: a, location_id: "wh_2", stocked_quantity: 9, metadata: { low_stock_threshold: 10 } } as never,
        { inventory_item_id: b, location_id: "wh_1", stocked_quantity: 8 },
      ])
      await module.setAsideStock({ inventory_item_id: b, location_id: "wh_1", quantity: 6, state: "safety_stock" })
      const [all, count] = await module.listStockLevels()
      expect(count).toBe(3)
      expect(all.map((l) => [l.sku, l.location_id, l.available_quantity, l.threshold, l.unavailable.safety_stock])).toEqual([
        ["LOW-A", "wh_1", 2, 3, 0],
        ["LOW-A", "wh_2", 9, 10, 0],
        ["LOW-B", "wh_1", 2, 3, 6],
      ])
      // Most short first: 9 of 10 (−1), then 2 of 3 (−1) by sku, then…
      const [low, lowCount] = await module.listStockLevels({ low_stock: true })
      expect([low.map((l) => [l.sku, l.location_id]), lowCount]).toEqual([[["LOW-A", "wh_1"], ["LOW-A", "wh_2"], ["LOW-B", "wh_1"]], 3])
      expect((await module.listStockLevels({ low_stock: true, location_id: "wh_2" }))[0].map((l) => l.title)).toEqual(["Apron"])
      expect((await module.listStockLevels({ q: "boo" }))[0].map((l) => l.sku)).toEqual(["LOW-B"])
      expect((await module.listStockLevels({ q: "%" }))[1]).toBe(0)
      const [page, total] = await module.listStockLevels({}, { skip: 2, take: 1 })
      expect([page.map((l) => l.sku), total]).toEqual([["LOW-B"], 3])
      // Without the option, only levels with their own threshold can be low.
      expect((await service.listStockLevels({ low_stock: true }))[0].map((l) => l.location_id)).toEqual(["wh_2"])
      await expect(service.listStockLevels({ low: true } as never)).rejects.toMatchObject({ type: MedusaError.Types.INVALID_DATA, message: `"selector" has unknown field(s): "low"` })
      await expect(service.listStockLevels({}, { take: 0 })).rejects.toMatchObject({ type: MedusaError.Types.INVALID_DATA })
    })
  })
})
