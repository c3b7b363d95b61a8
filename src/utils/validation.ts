import { z } from "zod"
import { invalidData } from "./errors"

/**
 * Every public method validates its input here, before any SQL runs. A failure becomes a
 * MedusaError INVALID_DATA whose message names the field and what is wrong with its value.
 * The shapes of the entities' inputs derive from their table descriptions (stock/tables.ts);
 * this file holds the building blocks.
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

export const text = z.string(typeError("must be a string")).nullish()
export const metadata = z.record(z.string(), z.unknown(), typeError("must be an object")).nullish()
export const boolean = z.boolean(typeError("must be a boolean"))
/** A point in time: a Date or an ISO 8601 string (with its time zone, or UTC). */
export const dateInput = z.union([
  z.date({ error: "must be a valid date" }),
  z.iso.datetime({ offset: true, error: "must be a date (an ISO 8601 string or a Date)" }).transform((s) => new Date(s)),
], { error: "must be a date (an ISO 8601 string or a Date)" })

/** A value as an error message shows it: JSON, cut at 60 characters. */
export function describe(value: unknown): string {
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

/** An argument that must be present and an object (inputs, updates). */
export function validateObject(value: unknown, field: string): Record<string, unknown> {
  if (value === null || value === undefined || typeof value !== "object" || Array.isArray(value)) {
    throw invalidData(`"${field}" must be an object (got ${describe(value)})`)
  }
  return value as Record<string, unknown>
}

/** An optional object argument (selectors, configs): `undefined` is "none given". */
export function validateOptionalObject(value: unknown, field: string): Record<string, unknown> | undefined {
  return value === undefined ? undefined : validateObject(value, field)
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
