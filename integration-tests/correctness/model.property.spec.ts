import { MedusaError } from "@medusajs/utils"
import * as fc from "fast-check"
import InventoryService from "../../src/services/inventory"
import { ledgerImbalance, reservedDrift, setupTestDatabase, TestDatabase } from "../utils/database"

/**
 * Model-based property tests: random sequences of operations run against the module (real
 * PostgreSQL) and against a small in-memory model of its documented semantics.
 *
 * (a) sequential — one operation at a time; after every step the outcome (ok / MedusaError
 *     type) and, for every (item, location), the stocked, reserved and available quantities
 *     must equal the model's, the live levels and live reservations must be the model's, and
 *     no live level may drift from its live reservations (I2).
 * (b) concurrent — batches of 5–10 operations fired at once; the order is unknown, so after each
 *     batch only invariants are checked: no drift (I2), every stock change is explained by the
 *     successful adjustInventory calls, the quantities read through the service equal the
 *     ones SQL gives (reserved = sum of live reservations), no live level belongs to a deleted
 *     item, no call rejects with anything but a MedusaError and no call hangs.
 *
 * Reproduce a run with FC_SEED=<seed> (and FC_RUNS=<n>); fast-check prints the seed, the
 * shrunk counterexample and the failing step's trace.
 */

const SEED = Number(process.env.FC_SEED ?? 20241129)
const SEQUENTIAL_RUNS = Number(process.env.FC_RUNS ?? 30)
const CONCURRENT_RUNS = Number(process.env.FC_RUNS ?? 40)
const CALL_TIMEOUT_MS = 15_000
const LOCATIONS = ["loc_a", "loc_b", "loc_c"] as const
const LINE_ITEMS = ["li_1", "li_2", "li_3"] as const
const MISSING_RESERVATION = "resitem_missing"
const NOT_FOUND = MedusaError.Types.NOT_FOUND
const DUPLICATE = MedusaError.Types.DUPLICATE_ERROR

// ---------------------------------------------------------------- operations

type Op =
  | { op: "createLevel"; item: number; loc: number; stocked: number }
  | { op: "adjust"; item: number; loc: number; delta: number }
  | { op: "deleteLevel"; item: number; loc: number }
  | { op: "reserve"; item: number; loc: number; quantity: number; line: number | null }
  | { op: "updateQuantity"; res: number; quantity: number }
  | { op: "move"; res: number; loc: number; quantity: number | null }
  | { op: "deleteReservation"; res: number }
  | { op: "deleteByLineItem"; line: number }
  | { op: "deleteByLocation"; loc: number }
  | { op: "deleteItem"; item: number }
  | { op: "restoreItem"; item: number }
  | { op: "deleteLevelsAtLocation"; loc: number }

function opArbitraries(items: number) {
  const item = fc.nat({ max: items - 1 })
  const loc = fc.nat({ max: LOCATIONS.length - 1 })
  const res = fc.nat({ max: 40 }) // index (modulo) into the reservations created so far
  const quantity = fc.integer({ min: 1, max: 5 })
  const line = fc.nat({ max: LINE_ITEMS.length - 1 })
  const createLevel: fc.Arbitrary<Op> = fc.record({
    op: fc.constant("createLevel" as const),
    item,
    loc,
    stocked: fc.integer({ min: -3, max: 20 }),
  })
  const reserve: fc.Arbitrary<Op> = fc.record({
    op: fc.constant("reserve" as const),
    item,
    loc,
    quantity,
    line: fc.option(line, { nil: null }),
  })
  const any: fc.Arbitrary<Op> = fc.oneof(
    { weight: 3, arbitrary: createLevel },
    {
      weight: 3,
      arbitrary: fc.record({ op: fc.constant("adjust" as const), item, loc, delta: fc.integer({ min: -10, max: 10 }) }),
    },
    { weight: 2, arbitrary: fc.record({ op: fc.constant("deleteLevel" as const), item, loc }) },
    { weight: 4, arbitrary: reserve },
    { weight: 2, arbitrary: fc.record({ op: fc.constant("updateQuantity" as const), res, quantity }) },
    {
      weight: 3,
      arbitrary: fc.record({ op: fc.constant("move" as const), res, loc, quantity: fc.option(quantity, { nil: null }) }),
    },
    { weight: 2, arbitrary: fc.record({ op: fc.constant("deleteReservation" as const), res }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant("deleteByLineItem" as const), line }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant("deleteByLocation" as const), loc }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant("deleteItem" as const), item }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant("restoreItem" as const), item }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant("deleteLevelsAtLocation" as const), loc }) }
  )
  return { any, reserve }
}

/**
 * A universe of 2–3 items × 3 locations: most (item, location) pairs start with a level, a few
 * reservations are made on them; both go through the checked sequential runner as ops.
 */
function universe<T>(body: (items: number, any: fc.Arbitrary<Op>) => fc.Arbitrary<T>) {
  return fc.integer({ min: 2, max: 3 }).chain((items) => {
    const ops = opArbitraries(items)
    return fc.record({
      items: fc.constant(items),
      initialStock: fc.array(fc.option(fc.integer({ min: 0, max: 20 }), { freq: 5, nil: null }), {
        minLength: items * LOCATIONS.length,
        maxLength: items * LOCATIONS.length,
      }),
      initialReservations: fc.array(ops.reserve, { maxLength: 8, size: "max" }),
      body: body(items, ops.any),
    })
  })
}

function setupOps(initialStock: (number | null)[], initialReservations: Op[]): Op[] {
  const levels = initialStock.flatMap((stocked, pair): Op[] =>
    stocked === null
      ? []
      : [{ op: "createLevel", item: Math.floor(pair / LOCATIONS.length), loc: pair % LOCATIONS.length, stocked }]
  )
  return [...levels, ...initialReservations]
}

function describeOp(op: Op, resId: string): string {
  switch (op.op) {
    case "createLevel":
      return `createInventoryLevel(item${op.item}, ${LOCATIONS[op.loc]}, stocked ${op.stocked})`
    case "adjust":
      return `adjustInventory(item${op.item}, ${LOCATIONS[op.loc]}, ${op.delta})`
    case "deleteLevel":
      return `deleteInventoryLevel(item${op.item}, ${LOCATIONS[op.loc]})`
    case "reserve":
      return `createReservationItem(item${op.item}, ${LOCATIONS[op.loc]}, qty ${op.quantity}, ${op.line === null ? "no line" : LINE_ITEMS[op.line]})`
    case "updateQuantity":
      return `updateReservationItem(${resId}, { quantity: ${op.quantity} })`
    case "move":
      return `updateReservationItem(${resId}, { location_id: ${LOCATIONS[op.loc]}${op.quantity === null ? "" : `, quantity: ${op.quantity}`} })`
    case "deleteReservation":
      return `deleteReservationItem(${resId})`
    case "deleteByLineItem":
      return `deleteReservationItemsByLineItem(${LINE_ITEMS[op.line]})`
    case "deleteByLocation":
      return `deleteReservationItemByLocationId(${LOCATIONS[op.loc]})`
    case "deleteItem":
      return `deleteInventoryItem(item${op.item})`
    case "restoreItem":
      return `restoreInventoryItem(item${op.item})`
    case "deleteLevelsAtLocation":
      return `deleteInventoryItemLevelByLocationId(${LOCATIONS[op.loc]})`
  }
}

/** Runs one operation against the module; `resId` is the reservation the op refers to. */
function call(service: InventoryService, itemIds: string[], op: Op, resId: string): Promise<unknown> {
  switch (op.op) {
    case "createLevel":
      return service.createInventoryLevel({
        inventory_item_id: itemIds[op.item],
        location_id: LOCATIONS[op.loc],
        stocked_quantity: op.stocked,
      })
    case "adjust":
      return service.adjustInventory(itemIds[op.item], LOCATIONS[op.loc], op.delta)
    case "deleteLevel":
      return service.deleteInventoryLevel(itemIds[op.item], LOCATIONS[op.loc])
    case "reserve":
      return service.createReservationItem({
        inventory_item_id: itemIds[op.item],
        location_id: LOCATIONS[op.loc],
        quantity: op.quantity,
        line_item_id: op.line === null ? undefined : LINE_ITEMS[op.line],
      })
    case "updateQuantity":
      return service.updateReservationItem(resId, { quantity: op.quantity })
    case "move":
      return service.updateReservationItem(resId, {
        location_id: LOCATIONS[op.loc],
        ...(op.quantity === null ? {} : { quantity: op.quantity }),
      })
    case "deleteReservation":
      return service.deleteReservationItem(resId)
    case "deleteByLineItem":
      return service.deleteReservationItemsByLineItem(LINE_ITEMS[op.line])
    case "deleteByLocation":
      return service.deleteReservationItemByLocationId(LOCATIONS[op.loc])
    case "deleteItem":
      return service.deleteInventoryItem(itemIds[op.item])
    case "restoreItem":
      return service.restoreInventoryItem(itemIds[op.item])
    case "deleteLevelsAtLocation":
      return service.deleteInventoryItemLevelByLocationId(LOCATIONS[op.loc])
  }
}

// ---------------------------------------------------------------- calls that must settle

type Outcome = { ok: true; value: unknown } | { ok: false; type: string; message: string }

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${CALL_TIMEOUT_MS} ms`)), CALL_TIMEOUT_MS)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

function describeRejection(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}

/** Awaits a call; a MedusaError becomes an outcome, anything else fails the property. */
async function settle(promise: Promise<unknown>, what: string): Promise<Outcome> {
  try {
    return { ok: true, value: await withTimeout(promise, what) }
  } catch (error) {
    if (!MedusaError.isMedusaError(error)) {
      throw new Error(`${what} rejected with something other than a MedusaError: ${describeRejection(error)}`)
    }
    return { ok: false, type: error.type, message: error.message }
  }
}

const outcomeText = (o: Outcome) => (o.ok ? "ok" : o.type)

// ---------------------------------------------------------------- the model

interface ModelLevel {
  stocked: number
  reserved: number
  /** Soft-deleted together with its item (restoreInventoryItem brings it back). */
  withItem: boolean
}

interface ModelReservation {
  id: string
  item: number
  loc: number
  quantity: number
  line: number | null
  live: boolean
}

/**
 * The documented semantics. A level is live, deleted together with its item (kept, so a
 * restore brings it back with its stock) or gone (removed from the map). Reservations outlive
 * levels; a live level's reserved quantity is the sum of its live reservations (I2).
 */
class Model {
  readonly itemLive: boolean[]
  readonly levels = new Map<string, ModelLevel>()
  readonly reservations: ModelReservation[] = []

  constructor(items: number) {
    this.itemLive = Array.from({ length: items }, () => true)
  }

  static key(item: number, loc: number): string {
    return `${item}:${loc}`
  }

  liveLevel(item: number, loc: number): ModelLevel | undefined {
    const level = this.levels.get(Model.key(item, loc))
    return level && !level.withItem ? level : undefined
  }

  liveReservedSum(item: number, loc: number): number {
    return this.reservations
      .filter((r) => r.live && r.item === item && r.loc === loc)
      .reduce((sum, r) => sum + r.quantity, 0)
  }

  reservation(index: number): ModelReservation | undefined {
    return this.reservations.length ? this.reservations[index % this.reservations.length] : undefined
  }

  /** Deleting a reservation releases its quantity only from a live level. */
  private release(r: ModelReservation): void {
    r.live = false
    const level = this.liveLevel(r.item, r.loc)
    if (level) level.reserved -= r.quantity
  }

  /**
   * Sets a reservation's quantity and location (the target level is live, checked before): the
   * old quantity leaves its level only if that level is live, the new one joins the target.
   */
  private change(r: ModelReservation, loc: number, quantity: number): void {
    if (loc === r.loc && quantity === r.quantity) return // nothing to do, no level needed
    const from = this.liveLevel(r.item, r.loc)
    if (from) from.reserved -= r.quantity
    this.liveLevel(r.item, loc)!.reserved += quantity
    r.loc = loc
    r.quantity = quantity
  }

  /**
   * The expected outcome of `op` ("ok" or a MedusaError type) and, when ok, the change to
   * apply once the module has answered (with its result, e.g. a new reservation's id).
   */
  outcomeOf(op: Op): { outcome: string; apply: (value: unknown) => void } {
    const ok = (apply: (value: unknown) => void = () => undefined) => ({ outcome: "ok", apply })
    const fail = (type: string) => ({ outcome: type, apply: () => undefined })
    switch (op.op) {
      case "createLevel": {
        if (!this.itemLive[op.item]) return fail(NOT_FOUND)
        if (this.liveLevel(op.item, op.loc)) return fail(DUPLICATE)
        return ok(() =>
          this.levels.set(Model.key(op.item, op.loc), {
            stocked: op.stocked,
            reserved: this.liveReservedSum(op.item, op.loc),
            withItem: false,
          })
        )
      }
      case "adjust": {
        const level = this.liveLevel(op.item, op.loc)
        return level ? ok(() => (level.stocked += op.delta)) : fail(NOT_FOUND)
      }
      case "deleteLevel":
        return ok(() => {
          if (this.liveLevel(op.item, op.loc)) this.levels.delete(Model.key(op.item, op.loc))
        })
      case "reserve": {
        const level = this.liveLevel(op.item, op.loc)
        if (!level) return fail(NOT_FOUND)
        return ok((value) => {
          level.reserved += op.quantity
          this.reservations.push({
            id: (value as { id: string }).id,
            item: op.item,
            loc: op.loc,
            quantity: op.quantity,
            line: op.line,
            live: true,
          })
        })
      }
      case "updateQuantity":
      case "move": {
        const r = this.reservation(op.res)
        if (!r || !r.live) return fail(NOT_FOUND)
        const loc = op.op === "move" ? op.loc : r.loc
        const quantity = op.quantity ?? r.quantity
        const needsTarget = !(loc === r.loc && quantity === r.quantity)
        if (needsTarget && !this.liveLevel(r.item, loc)) return fail(NOT_FOUND)
        return ok(() => this.change(r, loc, quantity))
      }
      case "deleteReservation":
        return ok(() => {
          const r = this.reservation(op.res)
          if (r?.live) this.release(r)
        })
      case "deleteByLineItem":
        return ok(() => this.reservations.filter((r) => r.live && r.line === op.line).forEach((r) => this.release(r)))
      case "deleteByLocation":
        return ok(() => this.reservations.filter((r) => r.live && r.loc === op.loc).forEach((r) => this.release(r)))
      case "deleteItem":
        return ok(() => {
          if (!this.itemLive[op.item]) return
          this.itemLive[op.item] = false
          for (let loc = 0; loc < LOCATIONS.length; loc++) {
            const level = this.liveLevel(op.item, loc)
            if (level) level.withItem = true
          }
        })
      case "restoreItem":
        return ok(() => {
          if (this.itemLive[op.item]) return
          this.itemLive[op.item] = true
          for (let loc = 0; loc < LOCATIONS.length; loc++) {
            const level = this.levels.get(Model.key(op.item, loc))
            if (level?.withItem) {
              level.withItem = false
              level.reserved = this.liveReservedSum(op.item, loc) // recounted on restore (I2)
            }
          }
        })
      case "deleteLevelsAtLocation":
        return ok(() => {
          for (let item = 0; item < this.itemLive.length; item++) {
            if (this.liveLevel(item, op.loc)) this.levels.delete(Model.key(item, op.loc))
          }
        })
    }
  }
}

// ---------------------------------------------------------------- observations

type Quantity = number | "NOT_FOUND"

/** stocked / reserved / available of every (item, location), and of all locations together. */
async function readQuantities(service: InventoryService, itemIds: string[]): Promise<Record<string, Quantity[]>> {
  const read = async (fn: () => Promise<number>, what: string): Promise<Quantity> => {
    const outcome = await settle(fn(), what)
    if (outcome.ok) return outcome.value as number
    if (outcome.type === NOT_FOUND) return "NOT_FOUND"
    throw new Error(`${what} failed with ${outcome.type}: ${outcome.message}`)
  }
  const entries = itemIds.flatMap((id, item) =>
    [...LOCATIONS.map((l) => [l]), [...LOCATIONS]].map(async (locations) => {
      const label = `item${item}@${locations.length === 1 ? locations[0] : "all"}`
      const values = await Promise.all([
        read(() => service.retrieveStockedQuantity(id, locations), `retrieveStockedQuantity(${label})`),
        read(() => service.retrieveReservedQuantity(id, locations), `retrieveReservedQuantity(${label})`),
        read(() => service.retrieveAvailableQuantity(id, locations), `retrieveAvailableQuantity(${label})`),
      ])
      return [label, values] as const
    })
  )
  return Object.fromEntries(await Promise.all(entries))
}

function modelQuantities(model: Model): Record<string, Quantity[]> {
  const result: Record<string, Quantity[]> = {}
  model.itemLive.forEach((live, item) => {
    const per = LOCATIONS.map((_, loc) => {
      const level = model.liveLevel(item, loc)
      return [level?.stocked ?? 0, level?.reserved ?? 0]
    })
    const put = (label: string, [stocked, reserved]: number[]) => {
      result[`item${item}@${label}`] = live ? [stocked, reserved, stocked - reserved] : ["NOT_FOUND", "NOT_FOUND", "NOT_FOUND"]
    }
    LOCATIONS.forEach((l, loc) => put(l, per[loc]))
    put("all", per.reduce((a, b) => [a[0] + b[0], a[1] + b[1]], [0, 0]))
  })
  return result
}

interface LevelRow {
  id: string
  inventory_item_id: string
  location_id: string
  stocked_quantity: number
  reserved_quantity: number
  live: boolean
}

async function levelRows(db: TestDatabase): Promise<LevelRow[]> {
  return db.query<LevelRow>(
    `SELECT id, inventory_item_id, location_id, stocked_quantity, reserved_quantity, deleted_at IS NULL AS live
       FROM inventory_level ORDER BY id`
  )
}

// ---------------------------------------------------------------- the suite

describe("the module against a model of its semantics (property-based)", () => {
  let db: TestDatabase
  let service: InventoryService

  beforeAll(async () => {
    db = await setupTestDatabase("mit_model", 10)
    service = db.service()
  })
  afterAll(async () => {
    await db.close()
  })

  async function createItems(count: number): Promise<string[]> {
    await db.truncate()
    const ids: string[] = []
    for (let i = 0; i < count; i++) ids.push((await service.createInventoryItem({ sku: `MODEL-${i}` })).id)
    return ids
  }

  /** Everything the module shows that the model predicts, in one comparable object. */
  async function observe(itemIds: string[]) {
    const index = new Map(itemIds.map((id, i) => [id, `item${i}`]))
    const [quantities, levels, reservations, drift, ledger] = await Promise.all([
      readQuantities(service, itemIds),
      levelRows(db),
      db.query<{ id: string; location_id: string; quantity: number; line_item_id: string | null }>(
        `SELECT id, location_id, quantity, line_item_id FROM reservation_item WHERE deleted_at IS NULL`
      ),
      reservedDrift(db),
      ledgerImbalance(db),
    ])
    return {
      quantities,
      liveLevels: levels
        .filter((l) => l.live)
        .map((l) => `${index.get(l.inventory_item_id)}@${l.location_id} stocked ${l.stocked_quantity} reserved ${l.reserved_quantity}`)
        .sort(),
      liveReservations: reservations
        .map((r) => `${r.id} @${r.location_id} qty ${r.quantity} ${r.line_item_id ?? "no line"}`)
        .sort(),
      drift,
      ledger,
    }
  }

  function predict(model: Model) {
    const liveLevels: string[] = []
    for (const [key, level] of model.levels) {
      const [item, loc] = key.split(":").map(Number)
      if (!level.withItem) liveLevels.push(`item${item}@${LOCATIONS[loc]} stocked ${level.stocked} reserved ${level.reserved}`)
    }
    return {
      quantities: modelQuantities(model),
      liveLevels: liveLevels.sort(),
      liveReservations: model.reservations
        .filter((r) => r.live)
        .map((r) => `${r.id} @${LOCATIONS[r.loc]} qty ${r.quantity} ${r.line === null ? "no line" : LINE_ITEMS[r.line]}`)
        .sort(),
      drift: [],
      ledger: [],
    }
  }

  /** Runs ops one at a time against module and model, comparing everything after each. */
  async function runSequentially(model: Model, itemIds: string[], ops: Op[], trace: string[]): Promise<void> {
    for (const op of ops) {
      const r = "res" in op ? model.reservation(op.res) : undefined
      const resId = r?.id ?? MISSING_RESERVATION
      const what = describeOp(op, resId)
      const expected = model.outcomeOf(op)
      const outcome = await settle(call(service, itemIds, op, resId), what)
      trace.push(`${trace.length + 1}. ${what} -> ${outcomeText(outcome)}`)
      const failure = (detail: string) => new Error(`Step ${trace.length} disagrees with the model: ${detail}\nTrace:\n${trace.join("\n")}`)
      if (outcomeText(outcome) !== expected.outcome) {
        throw failure(`expected ${expected.outcome}, got ${outcomeText(outcome)}${outcome.ok ? "" : ` (${outcome.message})`}`)
      }
      if (outcome.ok) expected.apply(outcome.value)
      const observed = await observe(itemIds)
      try {
        expect(observed).toEqual(predict(model))
      } catch (error) {
        throw failure(`state after the step (- model, + module)\n${(error as Error).message}`)
      }
    }
  }

  it(
    "(a) sequential: every outcome and every quantity equals the model's",
    async () => {
      const scenario = universe((_, any) => fc.array(any, { minLength: 1, maxLength: 40, size: "max" }))
      let steps = 0
      await fc.assert(
        fc.asyncProperty(scenario, async ({ items, initialStock, initialReservations, body: ops }) => {
          const itemIds = await createItems(items)
          const model = new Model(items)
          const trace: string[] = []
          await runSequentially(model, itemIds, setupOps(initialStock, initialReservations), trace)
          await runSequentially(model, itemIds, ops, trace)
          steps += trace.length
        }),
        { seed: SEED, numRuns: SEQUENTIAL_RUNS, interruptAfterTimeLimit: 150_000 }
      )
      expect(steps).toBeGreaterThan(0)
    },
    180_000
  )

  it(
    "(b) concurrent batches: I2 holds, stock changes add up, no stray errors, no hangs",
    async () => {
      const scenario = universe((_, any) =>
        fc.array(fc.array(any, { minLength: 5, maxLength: 10 }), { minLength: 1, maxLength: 5, size: "max" })
      )
      let calls = 0
      await fc.assert(
        fc.asyncProperty(scenario, async ({ items, initialStock, initialReservations, body: batches }) => {
          const itemIds = await createItems(items)
          const model = new Model(items)
          const trace: string[] = []
          await runSequentially(model, itemIds, setupOps(initialStock, initialReservations), trace)
          const reservationIds = model.reservations.map((r) => r.id)

          for (const [b, batch] of batches.entries()) {
            calls += batch.length
            const before = await levelRows(db)
            const resolved = batch.map((op) => {
              const resId =
                "res" in op && reservationIds.length ? reservationIds[op.res % reservationIds.length] : MISSING_RESERVATION
              return { op, resId, what: describeOp(op, resId) }
            })
            const results = await Promise.allSettled(
              resolved.map(({ op, resId, what }) => settle(call(service, itemIds, op, resId), what))
            )
            trace.push(
              `batch ${b + 1} (concurrent): ` +
                resolved
                  .map(({ what }, i) => {
                    const r = results[i]
                    return `${what} -> ${r.status === "fulfilled" ? outcomeText(r.value) : "REJECTED"}`
                  })
                  .join("; ")
            )
            const failure = (detail: string) => new Error(`After batch ${b + 1}: ${detail}\nTrace:\n${trace.join("\n")}`)

            // No call may reject with anything but a MedusaError, nor hang (settle() enforces both).
            const stray = results.filter((r): r is PromiseRejectedResult => r.status === "rejected")
            if (stray.length) throw failure(stray.map((r) => describeRejection(r.reason)).join("\n"))

            // Every level row's stock moved by exactly the successful adjustments that hit it.
            const expectedStock = new Map(before.map((l) => [l.id, l.stocked_quantity]))
            let adjusted = 0
            resolved.forEach(({ op }, i) => {
              const r = results[i] as PromiseFulfilledResult<Outcome>
              if (!r.value.ok) return
              const level = r.value.value as { id: string; stocked_quantity: number }
              if (op.op === "createLevel") expectedStock.set(level.id, op.stocked)
              if (op.op === "reserve") reservationIds.push((r.value.value as { id: string }).id)
            })
            resolved.forEach(({ op }, i) => {
              const r = results[i] as PromiseFulfilledResult<Outcome>
              if (op.op !== "adjust" || !r.value.ok) return
              const id = (r.value.value as { id: string }).id
              expectedStock.set(id, (expectedStock.get(id) ?? Number.NaN) + op.delta)
              adjusted += op.delta
            })
            const after = await levelRows(db)
            const observedStock = Object.fromEntries(after.map((l) => [l.id, l.stocked_quantity]))
            const liveBefore = new Set(before.filter((l) => l.live).map((l) => l.id))
            const stayedLive = after.filter((l) => l.live && liveBefore.has(l.id)).map((l) => l.id)
            const stockedChange = (rows: LevelRow[]) =>
              rows.filter((l) => stayedLive.includes(l.id)).reduce((sum, l) => sum + l.stocked_quantity, 0)
            const adjustedOnStayedLive = resolved.reduce((sum, { op }, i) => {
              const r = results[i] as PromiseFulfilledResult<Outcome>
              if (op.op !== "adjust" || !r.value.ok) return sum
              return stayedLive.includes((r.value.value as { id: string }).id) ? sum + op.delta : sum
            }, 0)

            // What the service reads must be what SQL says: reserved = the live reservations' sum.
            const truth = await db.query<{ id: string; live: boolean }>(
              `SELECT id, deleted_at IS NULL AS live FROM inventory_item`
            )
            const live = new Map(truth.map((t) => [t.id, t.live]))
            const reservedSql = await db.query<{ inventory_item_id: string; location_id: string; q: number }>(
              `SELECT inventory_item_id, location_id, sum(quantity)::int AS q FROM reservation_item
                WHERE deleted_at IS NULL GROUP BY inventory_item_id, location_id`
            )
            const sqlReserved = (id: string, l: string) =>
              reservedSql.find((r) => r.inventory_item_id === id && r.location_id === l)?.q ?? 0
            const expectedQuantities: Record<string, Quantity[]> = {}
            itemIds.forEach((id, item) => {
              const per = LOCATIONS.map((l) => {
                const level = after.find((x) => x.live && x.inventory_item_id === id && x.location_id === l)
                return level ? [level.stocked_quantity, sqlReserved(id, l)] : [0, 0]
              })
              const put = (label: string, [stocked, reserved]: number[]) => {
                expectedQuantities[`item${item}@${label}`] = live.get(id)
                  ? [stocked, reserved, stocked - reserved]
                  : ["NOT_FOUND", "NOT_FOUND", "NOT_FOUND"]
              }
              LOCATIONS.forEach((l, loc) => put(l, per[loc]))
              put("all", per.reduce((a, c) => [a[0] + c[0], a[1] + c[1]], [0, 0]))
            })

            // deleteInventoryItem soft-deletes all the item's live levels, and no level is made
            // for a deleted item: whatever the order, no live level may belong to a deleted item.
            const orphans = after
              .filter((l) => l.live && !live.get(l.inventory_item_id))
              .map((l) => `${l.id} (item${itemIds.indexOf(l.inventory_item_id)}@${l.location_id})`)

            const observed = {
              drift: await reservedDrift(db),
              ledgerImbalance: await ledgerImbalance(db),
              liveLevelsOfDeletedItems: orphans,
              stockByLevel: observedStock,
              stockedChangeOfLevelsThatStayedLive: stockedChange(after) - stockedChange(before),
              quantities: await readQuantities(service, itemIds),
            }
            const expected = {
              drift: [],
              ledgerImbalance: [],
              liveLevelsOfDeletedItems: [],
              stockByLevel: Object.fromEntries(after.map((l) => [l.id, expectedStock.get(l.id)])),
              stockedChangeOfLevelsThatStayedLive: adjustedOnStayedLive,
              quantities: expectedQuantities,
            }
            try {
              expect(observed).toEqual(expected)
            } catch (error) {
              throw failure(`invariants (- expected, + module), ${adjusted} adjusted in all\n${(error as Error).message}`)
            }
          }
        }),
        { seed: SEED, numRuns: CONCURRENT_RUNS, interruptAfterTimeLimit: 150_000 }
      )
      expect(calls).toBeGreaterThan(0)
    },
    180_000
  )
})
