import { MedusaError } from "@medusajs/utils"

/**
 * How a test checks an error's message: the exact text, a part of it, or a pattern. Explicit,
 * so that no assertion is weaker than it reads.
 */
export type MessageCheck = { exact: string } | { contains: string } | RegExp

/** Awaits `promise`, which must reject; returns what it rejected with. */
export async function rejectionOf(promise: Promise<unknown>): Promise<any> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error("Expected the call to reject, but it resolved")
}

/**
 * Asserts that `promise` rejects with a MedusaError of `type` (and, when given, the message
 * and code), and returns the error. MedusaError is compiled to ES5, so `instanceof` does not
 * work on it: its own type guard is used.
 */
export async function expectMedusaError(promise: Promise<unknown>, type: string, message?: MessageCheck, code?: string): Promise<MedusaError> {
  const error = await rejectionOf(promise)
  expect(error).toBeInstanceOf(Error)
  expect({ isMedusaError: MedusaError.isMedusaError(error), type: error.type, message: error.message }).toMatchObject({
    isMedusaError: true,
    type,
  })
  if (message instanceof RegExp) {
    expect(error.message).toMatch(message)
  } else if (message && "exact" in message) {
    expect(error.message).toBe(message.exact)
  } else if (message) {
    expect(error.message).toContain(message.contains)
  }
  if (code !== undefined) {
    expect(error.code).toBe(code)
  }
  return error as MedusaError
}

/**
 * What Medusa's API answers for a unique violation: its `formatException` rewords any error
 * carrying SQLSTATE 23505 from the error's `table` and `detail`, as it does the official
 * module's raw driver error (`Inventory_item with sku X already exists.`).
 */
export function medusaApiDuplicateMessage(error: { code?: unknown; table?: unknown; detail?: unknown }): string {
  expect(error.code).toBe("23505")
  const table = String(error.table)
  const detail = String(error.detail)
  return `${table.charAt(0).toUpperCase()}${table.slice(1)} with ${detail.slice(4).replace(/[()=]/g, (c) => (c === "=" ? " " : ""))}`
}

export const SKU_TAKEN = `duplicate key value violates unique constraint "IDX_inventory_item_sku"`
export const LEVEL_TAKEN = `duplicate key value violates unique constraint "UQ_inventory_level_inventory_item_id_location_id"`
