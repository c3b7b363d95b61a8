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

/**
 * The fast path. zod parses an object in microseconds, which a bulk call pays per row (5 ms
 * of Node CPU for 1,000 level updates, more than the statement's own work in Node) and a
 * checkout on every call. So each building block below carries a plain test of the values it
 * certainly accepts and returns unchanged (`certain`); `validate()` hands a value that passes
 * straight back, and gives everything else to zod, which decides, transforms, and words the
 * error. A test holds each fast test to "accepts only what zod accepts, unchanged"
 * (integration-tests/correctness/validation-fast-path.spec.ts).
 */
const certain = new WeakMap<object, (value: unknown) => boolean>()

/** `schema`, with the test of values it certainly accepts and returns unchanged. */
function sure<T extends z.ZodType>(schema: T, accepts: (value: unknown) => boolean): T {
  certain.set(schema, accepts)
  return schema
}

/** The fast test of `schema`, when it has one. */
export function certainTest(schema: object): ((value: unknown) => boolean) | undefined {
  return certain.get(schema)
}

/**
 * An object literal: what zod's objects and records return as they got it (a null-prototype
 * object comes back as an ordinary one, so zod copies it).
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype
}

/** `schema.optional()`, with its fast test. */
export function optional<T extends z.ZodType>(schema: T) {
  const test = certain.get(schema)
  const wrapped = schema.optional()
  return test ? sure(wrapped, (v) => v === undefined || test(v)) : wrapped
}

/** `schema.nullish()`, with its fast test. */
export function nullish<T extends z.ZodType>(schema: T) {
  const test = certain.get(schema)
  const wrapped = schema.nullish()
  return test ? sure(wrapped, (v) => v === undefined || v === null || test(v)) : wrapped
}

/** A message for a value of the wrong type, and "is required" when it is missing. */
const typeError = (message: string) => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined ? "is required" : message),
})

const integer = (what: string, min = INT_MIN) => {
  const schema = z
    .number(typeError(`must be ${what}`))
    .int({ error: `must be ${what}` })
    .min(INT_MIN, { error: "is below the range of a PostgreSQL integer" })
    .max(INT_MAX, { error: "is above the range of a PostgreSQL integer" })
  return { schema, test: (v: unknown) => typeof v === "number" && Number.isInteger(v) && v >= min && v <= INT_MAX }
}

const anyInteger = integer("an integer")
export const anyInt = sure(anyInteger.schema, anyInteger.test)
const nonNegative = integer("a non-negative integer", 0)
export const nonNegativeInt = sure(nonNegative.schema.min(0, { error: "must not be negative" }), nonNegative.test)
const positive = integer("a positive integer", 1)
export const positiveInt = sure(positive.schema.min(1, { error: "must be a positive integer" }), positive.test)

const isId = (v: unknown) => typeof v === "string" && v.length >= 1 && v.length <= 512
export const id = sure(
  z
    .string(typeError("must be a string"))
    .min(1, { error: "must not be empty" })
    .max(512, { error: "is longer than 512 characters" }),
  isId
)

/** One id or a list of ids, as Medusa passes to deletes and to `locationIds`. */
export const idOrIds = sure(
  z.union([id, z.array(id)], {
    error: "must be a non-empty string or an array of non-empty strings",
  }),
  (v) => isId(v) || (Array.isArray(v) && v.every(isId))
)

/** A filter value: a string or a list of strings, where "" is a value that matches nothing. */
const filterString = z.string(typeError("must be a string")).max(512, { error: "is longer than 512 characters" })
export const locationFilter = z.union([filterString, z.array(filterString)], {
  error: "must be a string or an array of strings",
})

export const text = nullish(sure(z.string(typeError("must be a string")), (v) => typeof v === "string"))
export const metadata = nullish(sure(z.record(z.string(), z.unknown(), typeError("must be an object")), isPlainObject))
export const boolean = sure(z.boolean(typeError("must be a boolean")), (v) => typeof v === "boolean")
/** A point in time: a Date or an ISO 8601 string (with its time zone, or UTC). */
export const dateInput = sure(
  z.union(
    [
      z.date({ error: "must be a valid date" }),
      z.iso.datetime({ offset: true, error: "must be a date (an ISO 8601 string or a Date)" }).transform((s) => new Date(s)),
    ],
    { error: "must be a date (an ISO 8601 string or a Date)" }
  ),
  // A string is turned into a Date: zod's work.
  (v) => v instanceof Date && !Number.isNaN(v.getTime())
)

/**
 * A strict object of `shape`, with a fast test when every field has one: a plain object whose
 * keys are all fields and whose every field (present or not) passes its test.
 */
export function strictObject<S extends z.ZodRawShape>(shape: S): z.ZodObject<S, z.core.$strict> {
  const schema = z.strictObject(shape)
  const fields = Object.entries(shape).map(([key, field]) => [key, certain.get(field)] as const)
  if (fields.some(([, test]) => !test)) return schema
  const known = new Set(Object.keys(shape))
  return sure(schema, (v) => {
    if (!isPlainObject(v)) return false
    for (const key in v) if (!known.has(key)) return false
    for (const [key, test] of fields) if (!test!(v[key])) return false
    return true
  })
}

const lists = new WeakMap<z.ZodType, z.ZodType>()

/** `z.array(element)`, made once per element schema, with a fast test when the element has one. */
export function listOf<T extends z.ZodType>(element: T): z.ZodArray<T> {
  const known = lists.get(element)
  if (known) return known as z.ZodArray<T>
  const test = certain.get(element)
  const schema = z.array(element)
  if (test) sure(schema, (v) => Array.isArray(v) && v.every(test))
  lists.set(element, schema)
  return schema
}

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
  const accepts = certain.get(schema)
  if (accepts !== undefined && accepts(value)) return value as z.output<T>
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
