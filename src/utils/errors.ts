import { MedusaError } from "@medusajs/utils"

/** PostgreSQL SQLSTATE codes we translate; everything else in class 22/23 is INVALID_DATA. */
const PG = {
  UNIQUE_VIOLATION: "23505",
  NOT_NULL_VIOLATION: "23502",
  CHECK_VIOLATION: "23514",
  NUMERIC_OUT_OF_RANGE: "22003",
  INVALID_TEXT_REPRESENTATION: "22P02",
  UNDEFINED_COLUMN: "42703",
  LOCK_NOT_AVAILABLE: "55P03",
  DEADLOCK: "40P01",
  SERIALIZATION_FAILURE: "40001",
} as const

interface DriverError {
  code?: string
  constraint?: string
  detail?: string
  column?: string
  message?: string
}

function driverErrorOf(error: unknown): DriverError | undefined {
  if (!error || typeof error !== "object") {
    return undefined
  }
  const candidate = (error as { driverError?: DriverError }).driverError ?? (error as DriverError)
  return typeof candidate.code === "string" && /^[0-9A-Z]{5}$/.test(candidate.code)
    ? candidate
    : undefined
}

function duplicateMessage(err: DriverError): string {
  // detail looks like: Key (inventory_item_id, location_id)=(iitem_1, loc_1) already exists.
  const match = /Key \((.+)\)=\((.*)\) already exists/.exec(err.detail ?? "")
  if (err.constraint === "IDX_inventory_item_sku" && match) {
    return `Inventory item with sku ${match[2]} already exists`
  }
  if (err.constraint === "UQ_inventory_level_inventory_item_id_location_id" && match) {
    const [itemId, locationId] = match[2].split(", ")
    return `Inventory level for item ${itemId} and location ${locationId} already exists`
  }
  if (match) {
    return `A record with ${match[1]} ${match[2]} already exists`
  }
  return "A record with the same unique key already exists"
}

/**
 * Turns anything a public method might throw into a MedusaError, so that Medusa's API maps
 * it to the right HTTP status and no driver error (with its SQL) reaches a caller.
 */
export function toMedusaError(error: unknown): Error {
  // `instanceof` fails on MedusaErrors from @medusajs/utils 1.x (its compiled class loses its
  // prototype) and across copies of the package; the marker property does not.
  if (MedusaError.isMedusaError(error)) {
    return error as Error
  }
  const driverError = driverErrorOf(error)
  if (driverError) {
    switch (driverError.code) {
      case PG.UNIQUE_VIOLATION:
        return new MedusaError(MedusaError.Types.DUPLICATE_ERROR, duplicateMessage(driverError))
      case PG.NUMERIC_OUT_OF_RANGE:
        return new MedusaError(
          MedusaError.Types.INVALID_DATA,
          "A quantity would leave the range of a PostgreSQL integer (-2147483648 to 2147483647)"
        )
      case PG.NOT_NULL_VIOLATION:
        return new MedusaError(
          MedusaError.Types.INVALID_DATA,
          `"${driverError.column ?? "a required field"}" must not be null`
        )
      case PG.DEADLOCK:
      case PG.SERIALIZATION_FAILURE:
      case PG.LOCK_NOT_AVAILABLE:
        return new MedusaError(
          MedusaError.Types.CONFLICT,
          "The inventory changed concurrently; retry the operation"
        )
    }
    if (driverError.code?.startsWith("22") || driverError.code?.startsWith("23")) {
      return new MedusaError(MedusaError.Types.INVALID_DATA, "The input was rejected by the database as invalid")
    }
    return new MedusaError(MedusaError.Types.DB_ERROR, "The inventory database failed to run the operation")
  }
  if (error instanceof Error && error.name === "EntityPropertyNotFoundError") {
    return new MedusaError(MedusaError.Types.INVALID_DATA, error.message)
  }
  return error instanceof Error ? error : new Error(String(error))
}

/** A deadlock or serialization failure: the transaction may succeed if run again. */
export function isRetryable(error: unknown): boolean {
  const code = driverErrorOf(error)?.code
  return code === PG.DEADLOCK || code === PG.SERIALIZATION_FAILURE
}

export function notFound(message: string): MedusaError {
  return new MedusaError(MedusaError.Types.NOT_FOUND, message)
}

export function invalidData(message: string): MedusaError {
  return new MedusaError(MedusaError.Types.INVALID_DATA, message)
}

export function insufficientInventory(message: string): MedusaError {
  return new MedusaError(
    MedusaError.Types.NOT_ALLOWED,
    message,
    MedusaError.Codes.INSUFFICIENT_INVENTORY
  )
}
