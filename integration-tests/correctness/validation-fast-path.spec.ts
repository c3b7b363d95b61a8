import fc from "fast-check"
import { itemInput, itemUpdate, levelInput, levelKeyedUpdate, levelUpdate, reservationInput, reservationUpdate } from "../../src/stock/tables"
import {
  anyInt,
  boolean,
  certainTest,
  dateInput,
  id,
  idOrIds,
  listOf,
  metadata,
  nonNegativeInt,
  positiveInt,
  strictObject,
  text,
  validate,
  z,
} from "../../src/utils/validation"

/**
 * `validate()` hands back, without zod, the values a schema's fast test accepts
 * (src/utils/validation.ts). That is only right if every value a fast test accepts is one zod
 * accepts and returns unchanged: checked here on generated values, near-misses included.
 */

/** Values around each building block's edges, valid and not. */
const edgy = fc.oneof(
  fc.constantFrom(0, -0, 1, -1, 1.5, 2147483647, 2147483648, -2147483648, -2147483649, Number.NaN, Infinity, -Infinity, 2 ** 53 + 2),
  fc.constantFrom("", "x", "x".repeat(512), "x".repeat(513), "2026-12-07T10:00:00Z", "2026-12-07T10:00:00+05:30", "not a date", "iitem_1"),
  fc.constantFrom(null, undefined, true, false, new Date(0), new Date(Number.NaN), [], ["a"], [""], {}, { a: 1 }, Object.create(null)),
  fc.constant(new (class Custom {
    a = 1
  })()),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 20 }),
  fc.anything()
)

/** An object with some of `fields` (edgy values) and, now and then, a key no schema has. */
const objects = (fields: string[]) =>
  fc
    .tuple(fc.dictionary(fc.constantFrom(...fields), edgy), fc.option(fc.constantFrom("unknown", "__proto__", "constructor"), { nil: undefined }), edgy)
    .map(([record, extra, value]) => (extra === undefined ? record : { ...record, [extra]: value }))

/** Valid-looking objects: every field given a value that is usually right. */
const usual = (shape: Record<string, unknown>) =>
  fc.record(
    Object.fromEntries(
      Object.keys(shape).map((key) => [
        key,
        fc.oneof(
          fc.constantFrom("iitem_1", "loc_1", "li_1", 1, 5, 0, null, undefined, true, new Date(1e12), { a: 1 }),
          edgy
        ),
      ])
    ),
    { requiredKeys: [] }
  )

function holds(schema: z.ZodType, value: unknown): void {
  const test = certainTest(schema)!
  if (!test(value)) return
  const parsed = schema.safeParse(value)
  expect(parsed.success).toBe(true)
  expect(parsed.data).toStrictEqual(value)
  expect(validate(schema, value, "x")).toBe(value)
}

describe("validation fast path: accepts only what zod accepts, unchanged", () => {
  const scalars: [string, z.ZodType][] = [
    ["id", id],
    ["idOrIds", idOrIds],
    ["anyInt", anyInt],
    ["nonNegativeInt", nonNegativeInt],
    ["positiveInt", positiveInt],
    ["text", text],
    ["metadata", metadata],
    ["boolean", boolean],
    ["dateInput", dateInput],
  ]
  it.each(scalars)("%s", (_, schema) => {
    expect(certainTest(schema)).toBeDefined()
    fc.assert(fc.property(fc.oneof(edgy, fc.array(edgy, { maxLength: 3 })), (value) => holds(schema, value)), { numRuns: 3000 })
  })

  const objectSchemas: [string, z.ZodObject][] = [
    ["itemInput", itemInput],
    ["itemUpdate", itemUpdate],
    ["levelInput", levelInput],
    ["levelUpdate", levelUpdate],
    ["levelKeyedUpdate", levelKeyedUpdate],
    ["reservationInput", reservationInput],
    ["reservationUpdate", reservationUpdate],
  ]
  it.each(objectSchemas)("%s, and lists of it", (_, schema) => {
    expect(certainTest(schema)).toBeDefined()
    const fields = Object.keys(schema.shape)
    const values = fc.oneof(objects(fields), usual(schema.shape), edgy)
    fc.assert(fc.property(values, (value) => holds(schema, value)), { numRuns: 3000 })
    fc.assert(fc.property(fc.array(values, { maxLength: 4 }), (value) => holds(listOf(schema), value)), { numRuns: 1000 })
  })

  it("the usual calls take the fast path (so the tests above test something), and a transform still runs", () => {
    expect(certainTest(reservationInput)!({ inventory_item_id: "iitem_1", location_id: "loc_1", quantity: 1, line_item_id: "li_1" })).toBe(true)
    expect(certainTest(listOf(levelKeyedUpdate))!([{ inventory_item_id: "iitem_1", location_id: "loc_1", stocked_quantity: 5 }])).toBe(true)
    // An ISO string is zod's to turn into a Date.
    const withString = { inventory_item_id: "i", location_id: "l", quantity: 1, expires_at: "2026-12-07T10:00:00Z" }
    expect(certainTest(reservationInput)!(withString)).toBe(false)
    expect(validate(reservationInput, withString, "input").expires_at).toEqual(new Date("2026-12-07T10:00:00Z"))
    // A schema without a fast test for a field has no fast test at all.
    expect(certainTest(strictObject({ a: id, b: z.string().email() }))).toBeUndefined()
    expect(listOf(levelInput)).toBe(listOf(levelInput))
  })
})
