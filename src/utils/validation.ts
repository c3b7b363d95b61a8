import { z } from "zod"
import { invalidData } from "./errors"

/**
 * Every public method validates its input here, before any SQL runs. A failure becomes a
 * MedusaError INVALID_DATA whose message names the field and what is wrong with its value.
 */

export const INT_MIN = -2147483648
export const INT_MAX = 2147483647

/** A message for a value of the wrong type, and "is required" when it is missing. */
const typeError = (message: string) => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined ? "is required" : message),
})

const integer = (what: string) =>
  z
    .number(typeError(`must be ${what}`))
    .int({ error: `must be ${what}` })
    .min(INT_MIN, { error: "is below the range of a PostgreSQL integer" })
    .max(INT_MAX, { error: "is above the range of a PostgreSQL integer" })

export const anyInt = integer("an integer")
export const nonNegativeInt = integer("a non-negative integer").min(0, { error: "must not be negative" })
export const positiveInt = integer("a positive integer").min(1, { error: "must be a positive integer" })

export const id = z
  .string(typeError("must be a string"))
  .min(1, { error: "must not be empty" })
  .max(512, { error: "is longer than 512 characters" })

/** One id or a list of ids, as Medusa passes to deletes and to `locationIds`. */
export const idOrIds = z.union([id, z.array(id)], {
  error: "must be a non-empty string or an array of non-empty strings",
})

/** A filter value: a string or a list of strings, where "" is a value that matches nothing. */
const filterString = z.string(typeError("must be a string")).max(512, { error: "is longer than 512 characters" })
export const locationFilter = z.union([filterString, z.array(filterString)], {
  error: "must be a string or an array of strings",
})

const text = z.string(typeError("must be a string")).nullish()
const metadata = z.record(z.string(), z.unknown(), typeError("must be an object")).nullish()

const inventoryItemFields = {
  sku: text,
  origin_country: text,
  hs_code: text,
  mid_code: text,
  material: text,
  weight: nonNegativeInt.nullish(),
  length: nonNegativeInt.nullish(),
  height: nonNegativeInt.nullish(),
  width: nonNegativeInt.nullish(),
  title: text,
  description: text,
  thumbnail: text,
  metadata,
  requires_shipping: z.boolean(typeError("must be a boolean")).optional(),
}

export const createInventoryItemSchema = z.object(inventoryItemFields).strict()
export const updateInventoryItemSchema = z.object(inventoryItemFields).strict()

export const createInventoryLevelSchema = z
  .object({
    inventory_item_id: id,
    location_id: id,
    stocked_quantity: anyInt.optional(),
    reserved_quantity: nonNegativeInt.optional(),
    incoming_quantity: nonNegativeInt.optional(),
    metadata,
  })
  .strict()

const levelUpdateFields = {
  stocked_quantity: anyInt.optional(),
  incoming_quantity: nonNegativeInt.optional(),
  /** A manual correction; `doctor` reports levels where it disagrees with reservations. */
  reserved_quantity: nonNegativeInt.optional(),
  metadata,
}

export const updateInventoryLevelSchema = z.object(levelUpdateFields).strict()
export const bulkUpdateInventoryLevelSchema = z
  .object({ inventory_item_id: id, location_id: id, ...levelUpdateFields })
  .strict()

export const createReservationItemSchema = z
  .object({
    inventory_item_id: id,
    location_id: id,
    quantity: positiveInt,
    line_item_id: id.nullish(),
    description: text,
    created_by: text,
    external_id: text,
    metadata,
  })
  .strict()

export const updateReservationItemSchema = z
  .object({
    quantity: positiveInt.optional(),
    location_id: id.optional(),
    description: text,
    metadata,
  })
  .strict()

function describe(value: unknown): string {
  if (value === undefined) return "undefined"
  if (typeof value === "number" && !Number.isFinite(value)) return String(value)
  try {
    const json = JSON.stringify(value)
    return json === undefined ? String(value) : json.length > 60 ? `${json.slice(0, 57)}...` : json
  } catch {
    return typeof value
  }
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let current: unknown = root
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined
    current = (current as Record<PropertyKey, unknown>)[key]
  }
  return current
}

function issueMessage(field: string, issue: z.core.$ZodIssue, root: unknown): string {
  const path = [field, ...issue.path.map(String)].filter((p) => p !== "").join(".")
  if (issue.code === "unrecognized_keys") {
    return `"${path}" has unknown field(s): ${issue.keys.map((k) => `"${k}"`).join(", ")}`
  }
  const value = valueAt(root, issue.path)
  const message = issue.code === "invalid_type" && value === undefined ? "is required" : issue.message
  return `"${path}" ${message}${value === undefined ? "" : ` (got ${describe(value)})`}`
}

/** Parses `value` or throws INVALID_DATA naming `field` (and the nested path) and the problem. */
export function validate<T extends z.ZodType>(schema: T, value: unknown, field: string): z.output<T> {
  const result = schema.safeParse(value)
  if (result.success) {
    return result.data
  }
  const issues = result.error.issues
  throw invalidData(issues.slice(0, 3).map((issue) => issueMessage(field, issue, value)).join("; "))
}

/** An argument that must be present and an object (selectors, inputs, updates). */
export function validateObject(value: unknown, field: string): Record<string, unknown> {
  if (value === null || value === undefined || typeof value !== "object" || Array.isArray(value)) {
    throw invalidData(`"${field}" must be an object (got ${describe(value)})`)
  }
  return value as Record<string, unknown>
}

export function validateArray(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) {
    throw invalidData(`"${field}" must be an array (got ${describe(value)})`)
  }
  return value
}

export function toArray<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value]
}

export { z }
