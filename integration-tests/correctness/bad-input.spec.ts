import { MedusaError } from "@medusajs/utils"
import type InventoryService from "../../src/services/inventory"
import { INT_MAX, INT_MIN } from "../../src/utils/validation"
import { setupTestDatabase, TestDatabase } from "../utils/database"

/**
 * Bad input, table-driven, against a real PostgreSQL. Every case must be rejected with a
 * MedusaError INVALID_DATA (never a QueryFailedError, a TypeError or a driver error) whose
 * message names the offending field, and must leave all three tables exactly as they were.
 */

const METHODS = [
  "listInventoryItems",
  "listReservationItems",
  "listInventoryLevels",
  "retrieveInventoryItem",
  "retrieveInventoryLevel",
  "retrieveReservationItem",
  "createReservationItem",
  "createReservationItems",
  "createInventoryItem",
  "createInventoryItems",
  "createInventoryLevel",
  "createInventoryLevels",
  "updateInventoryLevels",
  "updateInventoryLevel",
  "updateInventoryItem",
  "updateReservationItem",
  "deleteReservationItemsByLineItem",
  "deleteReservationItem",
  "deleteInventoryItem",
  "restoreInventoryItem",
  "deleteInventoryItemLevelByLocationId",
  "deleteReservationItemByLocationId",
  "deleteInventoryLevel",
  "adjustInventory",
  "confirmInventory",
  "retrieveAvailableQuantity",
  "retrieveStockedQuantity",
  "retrieveReservedQuantity",
] as const satisfies readonly (keyof InventoryService)[]

type MethodName = (typeof METHODS)[number]

const LOC_A = "loc-a"
const LOC_B = "loc-b"
const LINE_ITEM = "line-1"

interface Fixture {
  itemId: string
  sku: string
  levelAId: string
  levelBId: string
  reservationId: string
}

interface BadCase {
  method: MethodName
  /** What is wrong with the input, for the test title. */
  name: string
  args: (f: Fixture) => unknown[]
  /** Text the error message must contain (the field it names). */
  field: string
}

type OutcomeKind = "INVALID_DATA" | "other MedusaError" | "raw error" | "stored silently"

interface Outcome {
  kind: OutcomeKind
  /** The observed result: error type/name and message, or the resolved value. */
  observed: string
  message: string
  unchanged: boolean
}

// ------------------------------------------------------------------ value tables

/** Values that are not an in-range integer. */
const NOT_INT4: [string, unknown][] = [
  ["1.5 (fraction)", 1.5],
  ["NaN", NaN],
  ["Infinity", Infinity],
  ['"5" (string)', "5"],
  ['"1, stocked_quantity = 0" (SQL injection)', "1, stocked_quantity = 0"],
  ["2147483648 (above int4)", INT_MAX + 1],
  ["-2147483649 (below int4)", INT_MIN - 1],
]

/** Values that are not a positive in-range integer (reservation quantities). */
const NOT_POSITIVE_INT4: [string, unknown][] = [["0 (zero)", 0], ["-1 (negative)", -1], ...NOT_INT4]

/** Values that are not one non-empty string id. */
const BAD_ID: [string, unknown][] = [
  ["null", null],
  ["undefined", undefined],
  ['"" (empty string)', ""],
  ["42 (number)", 42],
  ["{} (object)", {}],
  ["[1, 2] (array of numbers)", [1, 2]],
]

/** Values that are neither a non-empty string id nor an array of them. */
const BAD_ID_OR_IDS: [string, unknown][] = [
  ...BAD_ID,
  ['["x", ""] (array with an empty id)', ["x", ""]],
  ["[null] (array with null)", [null]],
]

/** Values that are not an object (selectors, inputs, updates). */
const NOT_OBJECT: [string, unknown][] = [
  ["null", null],
  ["undefined", undefined],
  ['"abc" (string)', "abc"],
]

/** Values that are not an object, for optional arguments: `undefined` means "no filter" there. */
const NOT_OPTIONAL_OBJECT: [string, unknown][] = NOT_OBJECT.filter(([, value]) => value !== undefined)

/** `context.transactionManager` values that are not a TypeORM EntityManager. */
const NOT_MANAGER: [string, unknown][] = [
  ["{} (object)", {}],
  ['"tx" (string)', "tx"],
  ["{ query } without connection", { query: async () => [] }],
]

/** Values that are not an array (bulk inputs). */
const NOT_ARRAY: [string, unknown][] = [
  ["null", null],
  ["{} (object, not array)", {}],
  ['"abc" (string)', "abc"],
]

/** Bad `FindConfig`s shared by the three list methods (`sortable` is a valid int/text column). */
function badConfigs(sortable: string): [string, unknown, string][] {
  return [
    ["config.take -1", { take: -1 }, "config.take"],
    ["config.skip 1.5", { skip: 1.5 }, "config.skip"],
    ['config.take "abc"', { take: "abc" }, "config.take"],
    ["config.take 2147483648", { take: INT_MAX + 1 }, "config.take"],
    ["config.skip NaN", { skip: NaN }, "config.skip"],
    [`config.order { ${sortable}: "UP" }`, { order: { [sortable]: "UP" } }, `config.order.${sortable}`],
    ["config.order on unknown field", { order: { nope: "ASC" } }, "config.order"],
    [
      "config.order key with SQL injection",
      { order: { "id; DROP TABLE inventory_item; --": "ASC" } },
      "config.order",
    ],
    ['config.order "id" (string)', { order: "id" }, "config.order"],
    ["config.select unknown field", { select: ["nope"] }, "config.select"],
    ['config.select "id" (string)', { select: "id" }, "config.select"],
    ["config.relations unknown", { relations: ["nope"] }, "config.relations"],
    ['config "abc" (string)', "abc", "config"],
  ]
}

// ------------------------------------------------------------------ valid building blocks

const reservationInput = (f: Fixture, extra: Record<string, unknown> = {}) => ({
  inventory_item_id: f.itemId,
  location_id: LOC_A,
  quantity: 1,
  ...extra,
})

const levelInput = (f: Fixture, extra: Record<string, unknown> = {}) => ({
  inventory_item_id: f.itemId,
  location_id: "loc-new",
  stocked_quantity: 3,
  ...extra,
})

/** Five valid rows with `bad` in place of the third (index 2). */
function fiveWithThird<T>(valid: (i: number) => T, bad: unknown): unknown[] {
  return Array.from({ length: 5 }, (_, i) => (i === 2 ? bad : valid(i)))
}

const bulkItem = (i: number) => ({ sku: `BULK-${i}`, title: `Bulk ${i}` })
const bulkLevel = (f: Fixture) => (i: number) => ({ inventory_item_id: f.itemId, location_id: `loc-bulk-${i}`, stocked_quantity: i })
const bulkReservation = (f: Fixture) => (i: number) => reservationInput(f, { location_id: i % 2 ? LOC_B : LOC_A, line_item_id: `bulk-${i}` })
/** Valid level updates: they alternate between the fixture's two levels (repeats are merged). */
const bulkLevelUpdate = (f: Fixture) => (i: number) => ({
  inventory_item_id: f.itemId,
  location_id: i % 2 ? LOC_B : LOC_A,
  stocked_quantity: 100 + i,
})

// ------------------------------------------------------------------ the cases

function buildCases(): BadCase[] {
  const cases: BadCase[] = []
  const add = (method: MethodName, name: string, args: (f: Fixture) => unknown[], field: string) =>
    cases.push({ method, name, args, field })

  // ---- listInventoryItems
  for (const [label, value] of NOT_OPTIONAL_OBJECT) add("listInventoryItems", `selector ${label}`, () => [value], "selector")
  add("listInventoryItems", "selector [] (array)", () => [[]], "selector")
  add("listInventoryItems", "unknown filter key", () => [{ bogus_filter: "x" }], '"bogus_filter"')
  add("listInventoryItems", "filter key with SQL injection", () => [{ "sku = sku OR 1=1; --": "x" }], "Unknown filter")
  add("listInventoryItems", 'filter { sku: { foo: "x" } }', () => [{ sku: { foo: "x" } }], '"sku"')
  add("listInventoryItems", 'filter { requires_shipping: "maybe" }', () => [{ requires_shipping: "maybe" }], '"requires_shipping"')
  add("listInventoryItems", 'filter { weight: "abc" }', () => [{ weight: "abc" }], '"weight"')
  add("listInventoryItems", "filter { weight: 1.5 }", () => [{ weight: 1.5 }], '"weight"')
  add("listInventoryItems", "filter { weight: INT_MAX + 1 }", () => [{ weight: INT_MAX + 1 }], '"weight"')
  add("listInventoryItems", 'filter { weight: { contains: "x" } }', () => [{ weight: { contains: "x" } }], '"weight"')
  add("listInventoryItems", "filter { sku: { contains: {} } }", () => [{ sku: { contains: {} } }], "sku.contains")
  add("listInventoryItems", "filter { sku: [1, {}] }", () => [{ sku: ["a", {}] }], '"sku"')
  add("listInventoryItems", "filter on metadata (json)", () => [{ metadata: { a: 1 } }], '"metadata"')
  add("listInventoryItems", "filter { q: 5 }", () => [{ q: 5 }], '"q"')
  add("listInventoryItems", "filter { location_id: 5 }", () => [{ location_id: 5 }], "selector.location_id")
  add("listInventoryItems", "filter { location_id: [null] }", () => [{ location_id: [null] }], "selector.location_id")
  add("listInventoryItems", 'filter { created_at: "not a date" }', () => [{ created_at: "not a date" }], '"created_at"')
  add("listInventoryItems", 'filter { created_at: { lt: "garbage" } }', () => [{ created_at: { lt: "garbage" } }], "created_at.lt")
  // The item list accepts any config.relations and joins nothing, as the official one does.
  for (const [label, config, field] of badConfigs("sku").filter(([, , f]) => f !== "config.relations")) {
    add("listInventoryItems", label, () => [{}, config], field)
  }

  // ---- listInventoryLevels
  for (const [label, value] of NOT_OPTIONAL_OBJECT) add("listInventoryLevels", `selector ${label}`, () => [value], "selector")
  add("listInventoryLevels", "unknown filter key", () => [{ bogus_filter: 1 }], '"bogus_filter"')
  add("listInventoryLevels", 'filter { stocked_quantity: "abc" }', () => [{ stocked_quantity: "abc" }], '"stocked_quantity"')
  add(
    "listInventoryLevels",
    'filter { stocked_quantity: "1, stocked_quantity = 0" }',
    () => [{ stocked_quantity: "1, stocked_quantity = 0" }],
    '"stocked_quantity"'
  )
  add("listInventoryLevels", 'filter { stocked_quantity: { contains: "x" } }', () => [{ stocked_quantity: { contains: "x" } }], '"stocked_quantity"')
  add("listInventoryLevels", "filter { reserved_quantity: INT_MIN - 1 }", () => [{ reserved_quantity: INT_MIN - 1 }], '"reserved_quantity"')
  add("listInventoryLevels", "filter { incoming_quantity: { gt: 1.5 } }", () => [{ incoming_quantity: { gt: 1.5 } }], "incoming_quantity.gt")
  add("listInventoryLevels", "filter { location_id: { foo: 1 } }", () => [{ location_id: { foo: 1 } }], '"location_id"')
  add("listInventoryLevels", "filter { inventory_item_id: [NaN] }", () => [{ inventory_item_id: [NaN] }], '"inventory_item_id"')
  add("listInventoryLevels", "filter on metadata (json)", () => [{ metadata: { a: 1 } }], '"metadata"')
  add("listInventoryLevels", "filter { metadata: {} } (empty operator object)", () => [{ metadata: {} }], '"metadata"')
  for (const [label, config, field] of badConfigs("stocked_quantity")) add("listInventoryLevels", label, () => [{}, config], field)

  // ---- listReservationItems
  for (const [label, value] of NOT_OPTIONAL_OBJECT) add("listReservationItems", `selector ${label}`, () => [value], "selector")
  add("listReservationItems", "unknown filter key", () => [{ bogus_filter: 1 }], '"bogus_filter"')
  add("listReservationItems", 'filter { quantity: { contains: "x" } }', () => [{ quantity: { contains: "x" } }], '"quantity"')
  add("listReservationItems", "filter { quantity: 1.5 }", () => [{ quantity: 1.5 }], '"quantity"')
  add("listReservationItems", 'filter { quantity: "1, stocked_quantity = 0" }', () => [{ quantity: "1, stocked_quantity = 0" }], '"quantity"')
  add("listReservationItems", "filter { quantity: INT_MAX + 1 }", () => [{ quantity: INT_MAX + 1 }], '"quantity"')
  add("listReservationItems", 'filter { line_item_id: { foo: "x" } }', () => [{ line_item_id: { foo: "x" } }], '"line_item_id"')
  add("listReservationItems", "filter { line_item_id: [{}] }", () => [{ line_item_id: [{}] }], '"line_item_id"')
  add("listReservationItems", "filter on metadata (json)", () => [{ metadata: { a: 1 } }], '"metadata"')
  add("listReservationItems", 'filter { created_at: { lt: "garbage" } }', () => [{ created_at: { lt: "garbage" } }], "created_at.lt")
  for (const [label, config, field] of badConfigs("quantity")) add("listReservationItems", label, () => [{}, config], field)

  // ---- retrieves
  for (const [label, value] of BAD_ID) add("retrieveInventoryItem", `id ${label}`, () => [value], "inventoryItemId")
  add("retrieveInventoryItem", "id longer than 512 characters", () => ["x".repeat(513)], "inventoryItemId")
  add("retrieveInventoryItem", "config.select unknown field", (f) => [f.itemId, { select: ["nope"] }], "config.select")
  add("retrieveInventoryItem", "config.relations unknown", (f) => [f.itemId, { relations: ["nope"] }], "config.relations")
  add("retrieveInventoryItem", 'config "abc" (string)', (f) => [f.itemId, "abc"], "config")

  for (const [label, value] of BAD_ID) add("retrieveInventoryLevel", `inventoryItemId ${label}`, () => [value, LOC_A], "inventoryItemId")
  for (const [label, value] of BAD_ID) add("retrieveInventoryLevel", `locationId ${label}`, (f) => [f.itemId, value], "locationId")

  for (const [label, value] of BAD_ID) add("retrieveReservationItem", `id ${label}`, () => [value], "reservationId")

  // ---- createReservationItem(s)
  for (const [label, value] of [...NOT_OBJECT, ["[] (array)", []] as [string, unknown]]) {
    add("createReservationItem", `input ${label}`, () => [value], "input")
  }
  for (const [label, value] of NOT_POSITIVE_INT4) {
    add("createReservationItem", `quantity ${label}`, (f) => [reservationInput(f, { quantity: value })], "input.quantity")
  }
  add("createReservationItem", "quantity missing", (f) => [{ inventory_item_id: f.itemId, location_id: LOC_A }], "input.quantity")
  add("createReservationItem", 'inventory_item_id "" (empty)', (f) => [reservationInput(f, { inventory_item_id: "" })], "input.inventory_item_id")
  add("createReservationItem", "inventory_item_id 5 (number)", (f) => [reservationInput(f, { inventory_item_id: 5 })], "input.inventory_item_id")
  add("createReservationItem", "location_id null", (f) => [reservationInput(f, { location_id: null })], "input.location_id")
  add("createReservationItem", "location_id {} (object)", (f) => [reservationInput(f, { location_id: {} })], "input.location_id")
  add("createReservationItem", 'line_item_id "" (empty)', (f) => [reservationInput(f, { line_item_id: "" })], "input.line_item_id")
  add("createReservationItem", "line_item_id 7 (number)", (f) => [reservationInput(f, { line_item_id: 7 })], "input.line_item_id")
  add("createReservationItem", "description 5 (number)", (f) => [reservationInput(f, { description: 5 })], "input.description")
  add("createReservationItem", "unknown field", (f) => [reservationInput(f, { bogus_field: 1 })], "bogus_field")
  add("createReservationItem", "metadata [] (array)", (f) => [reservationInput(f, { metadata: [] })], "input.metadata")
  add("createReservationItem", 'metadata "x" (string)', (f) => [reservationInput(f, { metadata: "x" })], "input.metadata")
  add(
    "createReservationItem",
    "quantity 2147483647 overflows the level's reserved_quantity",
    (f) => [reservationInput(f, { quantity: INT_MAX })],
    "PostgreSQL integer"
  )

  for (const [label, value] of NOT_ARRAY) add("createReservationItems", `input ${label}`, () => [value], "input")
  add("createReservationItems", "[null]", () => [[null]], "input.0")
  add("createReservationItems", "3rd of 5 quantity 0", (f) => [fiveWithThird(bulkReservation(f), reservationInput(f, { quantity: 0 }))], "input.2.quantity")
  add("createReservationItems", "3rd of 5 quantity -1", (f) => [fiveWithThird(bulkReservation(f), reservationInput(f, { quantity: -1 }))], "input.2.quantity")
  add("createReservationItems", '3rd of 5 quantity "5" (string)', (f) => [fiveWithThird(bulkReservation(f), reservationInput(f, { quantity: "5" }))], "input.2.quantity")
  add(
    "createReservationItems",
    '3rd of 5 quantity "1, stocked_quantity = 0"',
    (f) => [fiveWithThird(bulkReservation(f), reservationInput(f, { quantity: "1, stocked_quantity = 0" }))],
    "input.2.quantity"
  )
  add("createReservationItems", "3rd of 5 unknown field", (f) => [fiveWithThird(bulkReservation(f), reservationInput(f, { bogus_field: 1 }))], "input.2")
  add("createReservationItems", "3rd of 5 metadata [] (array)", (f) => [fiveWithThird(bulkReservation(f), reservationInput(f, { metadata: [] }))], "input.2.metadata")
  add("createReservationItems", '3rd of 5 location_id ""', (f) => [fiveWithThird(bulkReservation(f), reservationInput(f, { location_id: "" }))], "input.2.location_id")
  add(
    "createReservationItems",
    "two of 2147483647 on one level overflow the level",
    (f) => [[reservationInput(f, { quantity: INT_MAX }), reservationInput(f, { quantity: INT_MAX })]],
    "PostgreSQL integer"
  )

  // ---- createInventoryItem(s)
  for (const [label, value] of [...NOT_OBJECT, ["[] (array)", []] as [string, unknown]]) {
    add("createInventoryItem", `input ${label}`, () => [value], "input")
  }
  add("createInventoryItem", "unknown field", () => [{ sku: "NEW", bogus_field: 1 }], "bogus_field")
  add("createInventoryItem", "metadata [] (array)", () => [{ sku: "NEW", metadata: [] }], "input.metadata")
  add("createInventoryItem", 'metadata "x" (string)', () => [{ sku: "NEW", metadata: "x" }], "input.metadata")
  add("createInventoryItem", 'requires_shipping "yes" (string)', () => [{ sku: "NEW", requires_shipping: "yes" }], "input.requires_shipping")
  add("createInventoryItem", "requires_shipping 1 (number)", () => [{ sku: "NEW", requires_shipping: 1 }], "input.requires_shipping")
  add("createInventoryItem", "sku 123 (number)", () => [{ sku: 123 }], "input.sku")
  add("createInventoryItem", 'sku ["a"] (array)', () => [{ sku: ["a"] }], "input.sku")
  add("createInventoryItem", "title {} (object)", () => [{ sku: "NEW", title: {} }], "input.title")
  add("createInventoryItem", "weight 1.5 (fraction)", () => [{ sku: "NEW", weight: 1.5 }], "input.weight")
  add("createInventoryItem", 'weight "10" (string)', () => [{ sku: "NEW", weight: "10" }], "input.weight")
  add("createInventoryItem", "weight 2147483648 (above int4)", () => [{ sku: "NEW", weight: INT_MAX + 1 }], "input.weight")
  add("createInventoryItem", "length NaN", () => [{ sku: "NEW", length: NaN }], "input.length")
  for (const dimension of ["weight", "length", "height", "width"]) {
    add("createInventoryItem", `${dimension} -5 (negative)`, () => [{ sku: "NEW", [dimension]: -5 }], `input.${dimension}`)
    add("createInventoryItems", `3rd of 5 ${dimension} -1 (negative)`, () => [fiveWithThird(bulkItem, { sku: "BAD", [dimension]: -1 })], `input.2.${dimension}`)
    add("updateInventoryItem", `${dimension} -5 (negative)`, (f) => [f.itemId, { [dimension]: -5 }], `input.${dimension}`)
  }

  for (const [label, value] of NOT_ARRAY) add("createInventoryItems", `input ${label}`, () => [value], "input")
  add("createInventoryItems", "[null]", () => [[null]], "input.0")
  add("createInventoryItems", '3rd of 5 requires_shipping "maybe"', () => [fiveWithThird(bulkItem, { sku: "BAD", requires_shipping: "maybe" })], "input.2.requires_shipping")
  add("createInventoryItems", "3rd of 5 unknown field", () => [fiveWithThird(bulkItem, { sku: "BAD", bogus_field: true })], "input.2")
  add("createInventoryItems", "3rd of 5 weight NaN", () => [fiveWithThird(bulkItem, { sku: "BAD", weight: NaN })], "input.2.weight")
  add("createInventoryItems", '3rd of 5 metadata "x" (string)', () => [fiveWithThird(bulkItem, { sku: "BAD", metadata: "x" })], "input.2.metadata")
  add("createInventoryItems", "3rd of 5 sku 5 (number)", () => [fiveWithThird(bulkItem, { sku: 5 })], "input.2.sku")
  add("createInventoryItems", "3rd of 5 is a string", () => [fiveWithThird(bulkItem, "BAD")], "input.2")

  // ---- createInventoryLevel(s)
  for (const [label, value] of NOT_OBJECT) add("createInventoryLevel", `data ${label}`, () => [value], "data")
  add("createInventoryLevel", "inventory_item_id missing", () => [{ location_id: "loc-new", stocked_quantity: 1 }], "data.inventory_item_id")
  add("createInventoryLevel", 'inventory_item_id "" (empty)', (f) => [levelInput(f, { inventory_item_id: "" })], "data.inventory_item_id")
  add("createInventoryLevel", "inventory_item_id 5 (number)", (f) => [levelInput(f, { inventory_item_id: 5 })], "data.inventory_item_id")
  add("createInventoryLevel", 'location_id "" (empty)', (f) => [levelInput(f, { location_id: "" })], "data.location_id")
  add("createInventoryLevel", "location_id null", (f) => [levelInput(f, { location_id: null })], "data.location_id")
  for (const [label, value] of NOT_INT4) {
    add("createInventoryLevel", `stocked_quantity ${label}`, (f) => [levelInput(f, { stocked_quantity: value })], "data.stocked_quantity")
  }
  add("createInventoryLevel", "reserved_quantity -1", (f) => [levelInput(f, { reserved_quantity: -1 })], "data.reserved_quantity")
  add("createInventoryLevel", "incoming_quantity -1", (f) => [levelInput(f, { incoming_quantity: -1 })], "data.incoming_quantity")
  add("createInventoryLevel", "incoming_quantity 1.5", (f) => [levelInput(f, { incoming_quantity: 1.5 })], "data.incoming_quantity")
  add("createInventoryLevel", "unknown field", (f) => [levelInput(f, { bogus_field: 1 })], "bogus_field")
  add("createInventoryLevel", "metadata [] (array)", (f) => [levelInput(f, { metadata: [] })], "data.metadata")

  for (const [label, value] of NOT_ARRAY) add("createInventoryLevels", `data ${label}`, () => [value], "data")
  add("createInventoryLevels", '3rd of 5 stocked_quantity "5" (string)', (f) => [fiveWithThird(bulkLevel(f), levelInput(f, { stocked_quantity: "5" }))], "data.2.stocked_quantity")
  add("createInventoryLevels", "3rd of 5 stocked_quantity 1.5", (f) => [fiveWithThird(bulkLevel(f), levelInput(f, { stocked_quantity: 1.5 }))], "data.2.stocked_quantity")
  add("createInventoryLevels", "3rd of 5 unknown field", (f) => [fiveWithThird(bulkLevel(f), levelInput(f, { bogus_field: 1 }))], "data.2")
  add("createInventoryLevels", "3rd of 5 location_id missing", (f) => [fiveWithThird(bulkLevel(f), { inventory_item_id: f.itemId })], "data.2.location_id")
  add("createInventoryLevels", "3rd of 5 reserved_quantity -1", (f) => [fiveWithThird(bulkLevel(f), levelInput(f, { reserved_quantity: -1 }))], "data.2.reserved_quantity")
  add("createInventoryLevels", '3rd of 5 metadata "x" (string)', (f) => [fiveWithThird(bulkLevel(f), levelInput(f, { metadata: "x" }))], "data.2.metadata")

  // ---- updateInventoryLevels
  for (const [label, value] of NOT_ARRAY) add("updateInventoryLevels", `updates ${label}`, () => [value], "updates")
  add("updateInventoryLevels", "[null]", () => [[null]], "updates.0")
  const updateThird = (name: string, bad: (f: Fixture) => unknown, field: string) =>
    add("updateInventoryLevels", `3rd of 5 ${name}`, (f) => [fiveWithThird(bulkLevelUpdate(f), bad(f))], field)
  const levelUpdate = (f: Fixture, extra: Record<string, unknown>) => ({ inventory_item_id: f.itemId, location_id: LOC_A, ...extra })
  updateThird('stocked_quantity "1, stocked_quantity = 0"', (f) => levelUpdate(f, { stocked_quantity: "1, stocked_quantity = 0" }), "updates.2.stocked_quantity")
  updateThird("stocked_quantity 1.5", (f) => levelUpdate(f, { stocked_quantity: 1.5 }), "updates.2.stocked_quantity")
  updateThird("stocked_quantity 2147483648", (f) => levelUpdate(f, { stocked_quantity: INT_MAX + 1 }), "updates.2.stocked_quantity")
  updateThird("incoming_quantity -1", (f) => levelUpdate(f, { incoming_quantity: -1 }), "updates.2.incoming_quantity")
  updateThird("reserved_quantity -1", (f) => levelUpdate(f, { reserved_quantity: -1 }), "updates.2.reserved_quantity")
  updateThird("inventory_item_id missing", () => ({ location_id: LOC_A, stocked_quantity: 1 }), "updates.2.inventory_item_id")
  updateThird('location_id "" (empty)', (f) => levelUpdate(f, { location_id: "" }), "updates.2.location_id")
  updateThird("unknown field", (f) => levelUpdate(f, { bogus_field: 1 }), "updates.2")
  updateThird("metadata [] (array)", (f) => levelUpdate(f, { metadata: [] }), "updates.2.metadata")

  // ---- updateInventoryLevel
  for (const [label, value] of BAD_ID) add("updateInventoryLevel", `inventoryItemId ${label}`, () => [value, LOC_A, { stocked_quantity: 1 }], "inventoryItemId")
  add("updateInventoryLevel", "locationId undefined", (f) => [f.itemId, undefined, { stocked_quantity: 1 }], "locationId")
  add("updateInventoryLevel", "locationId {} (object)", (f) => [f.itemId, {}, { stocked_quantity: 1 }], "locationId")
  for (const [label, value] of [...NOT_OBJECT, ["[] (array)", []] as [string, unknown]]) {
    add("updateInventoryLevel", `update ${label}`, (f) => [f.itemId, LOC_A, value], "update")
  }
  for (const [label, value] of NOT_INT4) {
    add("updateInventoryLevel", `stocked_quantity ${label}`, (f) => [f.itemId, LOC_A, { stocked_quantity: value }], "update.stocked_quantity")
  }
  add("updateInventoryLevel", "reserved_quantity -1", (f) => [f.itemId, LOC_A, { reserved_quantity: -1 }], "update.reserved_quantity")
  add("updateInventoryLevel", "incoming_quantity -5", (f) => [f.itemId, LOC_A, { incoming_quantity: -5 }], "update.incoming_quantity")
  add("updateInventoryLevel", "unknown field", (f) => [f.itemId, LOC_A, { stocked_quantity: 1, bogus_field: 1 }], "bogus_field")
  add("updateInventoryLevel", "location_id is not updatable", (f) => [f.itemId, LOC_A, { location_id: LOC_B }], "location_id")
  add("updateInventoryLevel", 'metadata "x" (string)', (f) => [f.itemId, LOC_A, { metadata: "x" }], "update.metadata")
  add("updateInventoryLevel", "metadata [] (array)", (f) => [f.itemId, LOC_A, { metadata: [] }], "update.metadata")

  // ---- updateInventoryItem
  for (const [label, value] of BAD_ID) add("updateInventoryItem", `id ${label}`, () => [value, { title: "x" }], "inventoryItemId")
  for (const [label, value] of [...NOT_OBJECT, ["[] (array)", []] as [string, unknown]]) {
    add("updateInventoryItem", `input ${label}`, (f) => [f.itemId, value], "input")
  }
  add("updateInventoryItem", "unknown field", (f) => [f.itemId, { title: "x", bogus_field: 1 }], "bogus_field")
  add("updateInventoryItem", "id is not updatable", (f) => [f.itemId, { id: "other" }], '"id"')
  add("updateInventoryItem", 'requires_shipping "maybe"', (f) => [f.itemId, { requires_shipping: "maybe" }], "input.requires_shipping")
  add("updateInventoryItem", 'requires_shipping "true" (string)', (f) => [f.itemId, { requires_shipping: "true" }], "input.requires_shipping")
  add("updateInventoryItem", "requires_shipping 0 (number)", (f) => [f.itemId, { requires_shipping: 0 }], "input.requires_shipping")
  add("updateInventoryItem", "metadata [] (array)", (f) => [f.itemId, { metadata: [] }], "input.metadata")
  add("updateInventoryItem", 'metadata "x" (string)', (f) => [f.itemId, { metadata: "x" }], "input.metadata")
  add("updateInventoryItem", "sku 5 (number)", (f) => [f.itemId, { sku: 5 }], "input.sku")
  add("updateInventoryItem", 'weight "5" (string)', (f) => [f.itemId, { weight: "5" }], "input.weight")
  add("updateInventoryItem", "weight 1.5", (f) => [f.itemId, { weight: 1.5 }], "input.weight")
  add("updateInventoryItem", "height -2147483649", (f) => [f.itemId, { height: INT_MIN - 1 }], "input.height")
  add("updateInventoryItem", 'width "1, stocked_quantity = 0"', (f) => [f.itemId, { width: "1, stocked_quantity = 0" }], "input.width")

  // ---- updateReservationItem
  for (const [label, value] of BAD_ID) add("updateReservationItem", `id ${label}`, () => [value, { quantity: 1 }], "reservationItemId")
  for (const [label, value] of NOT_OBJECT) add("updateReservationItem", `input ${label}`, (f) => [f.reservationId, value], "input")
  for (const [label, value] of NOT_POSITIVE_INT4) {
    add("updateReservationItem", `quantity ${label}`, (f) => [f.reservationId, { quantity: value }], "input.quantity")
  }
  add("updateReservationItem", 'location_id "" (empty)', (f) => [f.reservationId, { location_id: "" }], "input.location_id")
  add("updateReservationItem", "location_id 5 (number)", (f) => [f.reservationId, { location_id: 5 }], "input.location_id")
  add("updateReservationItem", "location_id null", (f) => [f.reservationId, { location_id: null }], "input.location_id")
  add("updateReservationItem", "inventory_item_id is not updatable", (f) => [f.reservationId, { inventory_item_id: "other" }], "inventory_item_id")
  add("updateReservationItem", "unknown field", (f) => [f.reservationId, { quantity: 3, bogus_field: 1 }], "bogus_field")
  add("updateReservationItem", "metadata [] (array)", (f) => [f.reservationId, { metadata: [] }], "input.metadata")
  add("updateReservationItem", 'metadata "x" (string)', (f) => [f.reservationId, { metadata: "x" }], "input.metadata")
  add("updateReservationItem", "description 5 (number)", (f) => [f.reservationId, { description: 5 }], "input.description")

  // ---- deletes and restore (one id or a list of ids)
  for (const [label, value] of BAD_ID_OR_IDS) {
    add("deleteReservationItemsByLineItem", `lineItemId ${label}`, () => [value], "lineItemId")
    add("deleteReservationItem", `id ${label}`, () => [value], "reservationItemId")
    add("deleteInventoryItem", `id ${label}`, () => [value], "inventoryItemId")
    add("restoreInventoryItem", `id ${label}`, () => [value], "inventoryItemId")
    add("deleteInventoryItemLevelByLocationId", `locationId ${label}`, () => [value], "locationId")
    add("deleteReservationItemByLocationId", `locationId ${label}`, () => [value], "locationId")
  }
  add("deleteReservationItem", "valid id followed by an empty one", (f) => [[f.reservationId, ""]], "reservationItemId")
  add("deleteInventoryItem", "valid id followed by 5 (number)", (f) => [[f.itemId, 5]], "inventoryItemId")
  add("deleteReservationItemsByLineItem", "valid line item followed by {}", () => [[LINE_ITEM, {}]], "lineItemId")

  // ---- deleteInventoryLevel
  for (const [label, value] of BAD_ID) add("deleteInventoryLevel", `inventoryItemId ${label}`, () => [value, LOC_A], "inventoryItemId")
  for (const [label, value] of BAD_ID) add("deleteInventoryLevel", `locationId ${label}`, (f) => [f.itemId, value], "locationId")

  // ---- adjustInventory
  add("adjustInventory", "inventoryItemId null", () => [null, LOC_A, 1], "inventoryItemId")
  add("adjustInventory", 'inventoryItemId "" (empty)', () => ["", LOC_A, 1], "inventoryItemId")
  add("adjustInventory", "inventoryItemId 5 (number)", () => [5, LOC_A, 1], "inventoryItemId")
  add("adjustInventory", "locationId undefined", (f) => [f.itemId, undefined, 1], "locationId")
  add("adjustInventory", 'locationId "" (empty)', (f) => [f.itemId, "", 1], "locationId")
  add("adjustInventory", "locationId [1] (array of numbers)", (f) => [f.itemId, [1], 1], "locationId")
  for (const [label, value] of [
    ...NOT_INT4,
    ["-Infinity", -Infinity],
    ["null", null],
    ["undefined", undefined],
    ["true (boolean)", true],
    ["[5] (array)", [5]],
    ["{} (object)", {}],
  ] as [string, unknown][]) {
    add("adjustInventory", `adjustment ${label}`, (f) => [f.itemId, LOC_A, value], "adjustment")
  }
  add("adjustInventory", "adjustment 2147483647 overflows stocked_quantity", (f) => [f.itemId, LOC_A, INT_MAX], "PostgreSQL integer")
  add("adjustInventory", 'context "tx" (string)', (f) => [f.itemId, LOC_A, 1, "tx"], "context")
  // A transactionManager that is not an EntityManager, for a single-statement and a transactional method.
  for (const [label, value] of NOT_MANAGER) {
    add("adjustInventory", `context.transactionManager ${label}`, (f) => [f.itemId, LOC_A, 1, { transactionManager: value }], "context.transactionManager")
    add("updateInventoryLevels", `context.transactionManager ${label}`, (f) => [[{ inventory_item_id: f.itemId, location_id: LOC_A, stocked_quantity: 25 }], { transactionManager: value }], "context.transactionManager")
    add("listInventoryItems", `context.transactionManager ${label}`, () => [{}, undefined, { transactionManager: value }], "context.transactionManager")
  }

  // ---- confirmInventory
  add("confirmInventory", "inventoryItemId null", () => [null, [LOC_A], 1], "inventoryItemId")
  add("confirmInventory", 'inventoryItemId "" (empty)', () => ["", [LOC_A], 1], "inventoryItemId")
  add("confirmInventory", "inventoryItemId {} (object)", () => [{}, [LOC_A], 1], "inventoryItemId")
  add("confirmInventory", "locationIds null", (f) => [f.itemId, null, 1], "locationIds")
  add("confirmInventory", "locationIds [1, 2] (array of numbers)", (f) => [f.itemId, [1, 2], 1], "locationIds")
  add("confirmInventory", 'locationIds [""]', (f) => [f.itemId, [""], 1], "locationIds")
  for (const [label, value] of [
    ["-1 (negative)", -1],
    ...NOT_INT4,
    ["null", null],
    ["undefined", undefined],
  ] as [string, unknown][]) {
    add("confirmInventory", `quantity ${label}`, (f) => [f.itemId, [LOC_A], value], "quantity")
  }

  // ---- retrieve{Available,Stocked,Reserved}Quantity
  for (const method of ["retrieveAvailableQuantity", "retrieveStockedQuantity", "retrieveReservedQuantity"] as const) {
    for (const [label, value] of [
      ["null", null],
      ['"" (empty)', ""],
      ["5 (number)", 5],
      ["{} (object)", {}],
    ] as [string, unknown][]) {
      add(method, `inventoryItemId ${label}`, () => [value, [LOC_A]], "inventoryItemId")
    }
    for (const [label, value] of [
      ["null", null],
      ["undefined", undefined],
      ['"" (empty)', ""],
      ["[1, 2] (array of numbers)", [1, 2]],
      ['["loc-a", ""] (array with an empty id)', [LOC_A, ""]],
      ["{} (object)", {}],
    ] as [string, unknown][]) {
      add(method, `locationIds ${label}`, (f) => [f.itemId, value], "locationIds")
    }
  }

  return cases
}

const CASES = buildCases()
const caseTitle = (c: BadCase) => `${c.method}: ${c.name}`

// ------------------------------------------------------------------ the suite

describe("bad input is rejected as INVALID_DATA and writes nothing", () => {
  let db: TestDatabase
  let service: InventoryService
  let fixture: Fixture
  const outcomes = new Map<number, Outcome>()

  /** Truncates, then an item with a sku, two stocked levels and one reservation. */
  async function buildFixture(): Promise<Fixture> {
    await db.truncate()
    const sku = "BAD-INPUT-1"
    const item = await service.createInventoryItem({ sku, title: "Fixture item" })
    const [a, b] = await service.createInventoryLevels([
      { inventory_item_id: item.id, location_id: LOC_A, stocked_quantity: 10 },
      { inventory_item_id: item.id, location_id: LOC_B, stocked_quantity: 5 },
    ])
    const reservation = await service.createReservationItem({
      inventory_item_id: item.id,
      location_id: LOC_A,
      quantity: 2,
      line_item_id: LINE_ITEM,
    })
    return { itemId: item.id, sku, levelAId: a.id, levelBId: b.id, reservationId: reservation.id }
  }

  async function snapshot() {
    const [items, levels, reservations] = await Promise.all(
      ["inventory_item", "inventory_level", "reservation_item"].map((table) => db.query(`SELECT * FROM ${table} ORDER BY id`))
    )
    return { inventory_item: items, inventory_level: levels, reservation_item: reservations }
  }

  function show(value: unknown): string {
    try {
      const json = JSON.stringify(value)
      return json === undefined ? String(value) : json.length > 200 ? `${json.slice(0, 197)}...` : json
    } catch {
      return String(value)
    }
  }

  /** Calls the case's method against `f` and classifies what happened. */
  async function runCase(c: BadCase, f: Fixture): Promise<Outcome & { before: unknown; after: unknown }> {
    const before = await snapshot()
    const method = service[c.method] as unknown as (...args: unknown[]) => Promise<unknown>
    let outcome: Pick<Outcome, "kind" | "observed" | "message">
    try {
      const result = await method.apply(service, c.args(f))
      outcome = { kind: "stored silently", observed: `resolved with ${show(result)}`, message: "" }
    } catch (error) {
      const e = error as { type?: unknown; name?: unknown; message?: unknown; constructor?: { name?: string } } | null
      const message = typeof e?.message === "string" ? e.message : String(error)
      if (e && typeof e === "object" && MedusaError.isMedusaError(e)) {
        const kind = e.type === MedusaError.Types.INVALID_DATA ? "INVALID_DATA" : "other MedusaError"
        outcome = { kind, observed: `MedusaError ${String(e.type)}: ${message}`, message }
      } else {
        const name = (e && typeof e === "object" && (e.constructor?.name ?? String(e.name))) || typeof error
        outcome = { kind: "raw error", observed: `${name}: ${message}`, message }
      }
    }
    const after = await snapshot()
    return { ...outcome, unchanged: JSON.stringify(before) === JSON.stringify(after), before, after }
  }

  beforeAll(async () => {
    db = await setupTestDatabase("mit_bad", 5)
    service = db.service()
  })

  beforeEach(async () => {
    fixture = await buildFixture()
  })

  afterAll(async () => {
    await db?.close()
  })

  it(`has at least 150 cases over all ${METHODS.length} methods`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(150)
    const perMethod = Object.fromEntries(METHODS.map((m) => [m, CASES.filter((c) => c.method === m).length]))
    expect(Object.entries(perMethod).filter(([, n]) => n === 0)).toEqual([])
    expect(new Set(CASES.map(caseTitle)).size).toBe(CASES.length)
  })

  CASES.forEach((c, index) => {
    it(caseTitle(c), async () => {
      const { before, after, ...outcome } = await runCase(c, fixture)
      outcomes.set(index, outcome)
      // (1) a MedusaError INVALID_DATA; on failure this shows what was observed instead.
      expect({ kind: outcome.kind, observed: outcome.observed }).toEqual({ kind: "INVALID_DATA", observed: expect.any(String) })
      // (2) the message names the field.
      expect(outcome.message).toContain(c.field)
      // (3) nothing in any of the three tables changed.
      expect(after).toEqual(before)
    })
  })

  it("every bad input ends as INVALID_DATA (summary over all cases)", async () => {
    // Cases filtered out of this run (jest -t) are run here, each on a fresh fixture.
    for (const [index, c] of CASES.entries()) {
      if (!outcomes.has(index)) {
        const { before: _before, after: _after, ...outcome } = await runCase(c, await buildFixture())
        outcomes.set(index, outcome)
      }
    }
    const all = CASES.map((c, index) => ({ title: caseTitle(c), field: c.field, ...outcomes.get(index)! }))
    const count = (kind: OutcomeKind) => all.filter((o) => o.kind === kind).length
    const fieldMissing = all.filter((o) => o.kind === "INVALID_DATA" && !o.message.includes(o.field)).length
    const changed = all.filter((o) => !o.unchanged).length
    console.log(
      `bad inputs: ${all.length} cases, ${count("INVALID_DATA")} INVALID_DATA, ${count("other MedusaError")} other MedusaError, ` +
        `${count("raw error")} raw error, ${count("stored silently")} stored silently ` +
        `(${fieldMissing} INVALID_DATA without the field in the message, ${changed} changed the database)`
    )
    expect(all.filter((o) => o.kind !== "INVALID_DATA").map((o) => `${o.title} -> ${o.kind}: ${o.observed}`)).toEqual([])
    expect(count("INVALID_DATA")).toBe(CASES.length)
  })
})
