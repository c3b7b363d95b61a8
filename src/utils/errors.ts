import { MedusaError } from "@medusajs/utils"

/**
 * Every error the module answers is built here. The wordings marked "official" are those of
 * `@medusajs/inventory@1.11.7`, kept deliberately: callers (Medusa's own code and tests among
 * them) match on them. Each builder attaches the data it describes as `error.data`, so a caller
 * can act on the failing items without parsing the message (Saleor's `InsufficientStock(items)`
 * is the model).
 */

export type InventoryError<D = unknown> = MedusaError & { data: D }

function build<D>(type: string, message: string, data: D, code?: string): InventoryError<D> {
  const error = new MedusaError(type, message, code) as InventoryError<D>
  error.data = data
  return error
}

export interface LevelKey {
  inventory_item_id: string
  location_id: string
}

// ---------------------------------------------------------------- not found (official wordings)

/** Official: `InventoryItem with id X was not found`, one clause per id, in order, repeats kept. */
export function itemNotFound(ids: string | string[]): InventoryError<{ inventory_item_ids: string[] }> {
  const list = Array.isArray(ids) ? ids : [ids]
  return build(
    MedusaError.Types.NOT_FOUND,
    list.map((id) => `InventoryItem with id ${id} was not found`).join(", "),
    { inventory_item_ids: list }
  )
}

/** Official (retrieveInventoryLevel): `Inventory level for item X and location Y not found`. */
export function levelNotFound(level: LevelKey): InventoryError<LevelKey> {
  return build(
    MedusaError.Types.NOT_FOUND,
    `Inventory level for item ${level.inventory_item_id} and location ${level.location_id} not found`,
    level
  )
}

/** Official (adjustInventory): `Inventory level for inventory item X and location Y not found`. */
export function noLevelToAdjust(level: LevelKey): InventoryError<LevelKey> {
  return build(
    MedusaError.Types.NOT_FOUND,
    `Inventory level for inventory item ${level.inventory_item_id} and location ${level.location_id} not found`,
    level
  )
}

/**
 * Official: `Item X is not stocked at location Y`, one clause per failing input, in input
 * order, joined with ", ", repeats kept (Medusa's own tests assert the repeated form).
 */
export function notStockedAt(levels: LevelKey[]): InventoryError<{ levels: LevelKey[] }> {
  return build(
    MedusaError.Types.NOT_FOUND,
    levels.map((l) => `Item ${l.inventory_item_id} is not stocked at location ${l.location_id}`).join(", "),
    { levels }
  )
}

/** Official: `ReservationItem with id X was not found`. */
export function reservationNotFound(id: string): InventoryError<{ reservation_id: string }> {
  return build(MedusaError.Types.NOT_FOUND, `ReservationItem with id ${id} was not found`, { reservation_id: id })
}

// ---------------------------------------------------------------- stock (this module's own)

export interface ShortLevel extends LevelKey {
  available: number
  requested: number
  /**
   * With an allocation strategy: the other locations where the reservation (all the items
   * reserved with it, for a kit) was available, in the strategy's order; empty: none.
   */
  enough_at?: { location_id: string; available?: number; parts?: number }[]
}

/** "; enough at location B (5 available)", for a refusal under an allocation strategy. */
function elsewhere(level: ShortLevel): string {
  if (!level.enough_at) return ""
  if (!level.enough_at.length) return "; no other location has enough"
  const [first] = level.enough_at
  if (first.parts !== undefined) {
    return `; every item reserved with it is available at location${level.enough_at.length > 1 ? "s" : ""} ${level.enough_at.map((l) => l.location_id).join(", ")}`
  }
  return `; enough at location${level.enough_at.length > 1 ? "s" : ""} ${level.enough_at.map((l) => `${l.location_id} (${l.available} available)`).join(", ")}`
}

/**
 * A reservation refused by `strictReservations`. NOT_ALLOWED with the INSUFFICIENT_INVENTORY
 * code: Medusa's cart completion answers it with 409 and cancels the payment.
 */
export function insufficientStock(levels: ShortLevel[], more = false): InventoryError<{ levels: ShortLevel[] }> {
  return build(
    MedusaError.Types.NOT_ALLOWED,
    levels
      .map(
        (l) =>
          `Not enough stock of item ${l.inventory_item_id} at location ${l.location_id}: ` +
          `${Math.max(l.available, 0)} available, ${l.requested}${more ? " more" : ""} requested${elsewhere(l)}`
      )
      .join(", "),
    { levels },
    MedusaError.Codes.INSUFFICIENT_INVENTORY
  )
}

export interface StaleLevel extends LevelKey {
  expected_quantity: number
  stocked_quantity: number
}

/**
 * `setStockedQuantities` with an `expected_quantity` that is no longer the stocked quantity
 * (Shopify's CHANGE_FROM_QUANTITY_STALE): nothing was written; read again and retry.
 */
export function staleQuantity(levels: StaleLevel[]): InventoryError<{ levels: StaleLevel[] }> {
  return build(
    MedusaError.Types.CONFLICT,
    levels
      .map(
        (l) =>
          `Stocked quantity of item ${l.inventory_item_id} at location ${l.location_id} is ${l.stocked_quantity}, ` +
          `not the expected ${l.expected_quantity}`
      )
      .join(", "),
    { levels }
  )
}

export interface ShortAvailability extends LevelKey {
  requested: number
  available: number
}

/**
 * A set-aside or a transfer that needs more than the level has available (stocked − reserved):
 * CONFLICT naming the level, what was needed and what is available; nothing was written.
 */
export function notEnoughAvailable(level: ShortAvailability, what: string): InventoryError<ShortAvailability> {
  return build(
    MedusaError.Types.CONFLICT,
    `Not enough available stock of item ${level.inventory_item_id} at location ${level.location_id} to ${what}: ` +
      `${level.requested} needed, ${Math.max(level.available, 0)} available`,
    level
  )
}

export interface ShortSetAside extends LevelKey {
  state: string
  requested: number
  set_aside: number
}

/** A release of more units than the level holds in that state: CONFLICT, nothing written. */
export function notEnoughSetAside(level: ShortSetAside): InventoryError<ShortSetAside> {
  return build(
    MedusaError.Types.CONFLICT,
    `Cannot release ${level.requested} ${level.state} unit(s) of item ${level.inventory_item_id} at location ${level.location_id}: ` +
      `${level.set_aside} set aside`,
    level
  )
}

/** Official-style: `Transfer X was not found`. */
export function transferNotFound(id: string): InventoryError<{ transfer_id: string }> {
  return build(MedusaError.Types.NOT_FOUND, `Transfer with id ${id} was not found`, { transfer_id: id })
}

/** A receipt of a transfer that is no longer in transit. */
export function transferClosed(id: string, status: string): InventoryError<{ transfer_id: string; status: string }> {
  return build(MedusaError.Types.CONFLICT, `Transfer ${id} is ${status.replace("_", " ")}, not in transit: nothing to receive`, {
    transfer_id: id,
    status,
  })
}

/** An idempotency key used before with a different request. */
export function idempotencyKeyReused(key: string): InventoryError<{ idempotency_key: string }> {
  return build(
    MedusaError.Types.CONFLICT,
    `Idempotency key "${key}" was already used for a different request`,
    { idempotency_key: key }
  )
}

// ---------------------------------------------------------------- input

/**
 * `adjustInventory` without a location. The official module adjusts whichever level of the
 * item it lists first (undefined) or answers NOT_FOUND (null); stock that came back to one
 * warehouse must not be booked at another, so this module refuses, before any SQL.
 */
export function adjustmentWithoutLocation(inventoryItemId: string, given: null | undefined): InventoryError<{ field: string; inventory_item_id: string }> {
  return build(
    MedusaError.Types.INVALID_DATA,
    `"locationId" is required (got ${given === null ? "null" : "undefined"}): adjustInventory changes the stock of item ${inventoryItemId} ` +
      `at one location, its level's location_id. Medusa passes none for a return received without a location: receive it at a stock location`,
    { field: "location_id", inventory_item_id: inventoryItemId }
  )
}

export function invalidData(message: string): MedusaError {
  return new MedusaError(MedusaError.Types.INVALID_DATA, message)
}

// ---------------------------------------------------------------- database errors

/** PostgreSQL SQLSTATE codes we translate; everything else in class 22/23 is INVALID_DATA. */
const PG = {
  UNIQUE_VIOLATION: "23505",
  NOT_NULL_VIOLATION: "23502",
  NUMERIC_OUT_OF_RANGE: "22003",
  LOCK_NOT_AVAILABLE: "55P03",
  QUERY_CANCELED: "57014",
  DEADLOCK: "40P01",
  SERIALIZATION_FAILURE: "40001",
  ADMIN_SHUTDOWN: "57P01",
  CRASH_SHUTDOWN: "57P02",
  CANNOT_CONNECT_NOW: "57P03",
  UNDEFINED_TABLE: "42P01",
  UNDEFINED_COLUMN: "42703",
  UNDEFINED_FUNCTION: "42883",
} as const

/** A table, column or server function of the module is missing: the database is behind the package. */
const SCHEMA_BEHIND = new Set<string>([PG.UNDEFINED_TABLE, PG.UNDEFINED_COLUMN, PG.UNDEFINED_FUNCTION])

/** The code on connection-level failures the `pg` driver and Node raise (no SQLSTATE). */
const NETWORK_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"])
/** Messages of `pg` and `pg-pool` for a lost or unobtainable connection. */
const CONNECTION_MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error/i,
  /Client was closed and is not queryable/i,
  /Cannot use a pool after calling end/i,
]

interface DriverError {
  code?: string
  table?: string
  constraint?: string
  detail?: string
  column?: string
  message?: string
}

/** The driver's error (pg's DatabaseError), also when TypeORM wrapped it in a QueryFailedError. */
function driverErrorOf(error: unknown): (DriverError & Error) | undefined {
  if (!error || typeof error !== "object") return undefined
  const candidate = ((error as { driverError?: DriverError }).driverError ?? error) as DriverError & Error
  return typeof candidate.code === "string" && /^[0-9A-Z]{5}$/.test(candidate.code) ? candidate : undefined
}

/** TypeORM's query runner lost its connection (released on the driver's error) mid-call. */
function isReleasedRunner(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name
  return name === "QueryRunnerAlreadyReleasedError" || name === "QueryRunnerProviderAlreadyReleasedError"
}

/** A lost, refused or unobtainable connection (`ECONNRESET`, `57P01`, `08xxx`, pool timeouts). */
export function isConnectionError(error: unknown): boolean {
  if (!error || typeof error !== "object") return false
  const sqlstate = driverErrorOf(error)?.code
  if (sqlstate) {
    return sqlstate.startsWith("08") || sqlstate === PG.ADMIN_SHUTDOWN || sqlstate === PG.CRASH_SHUTDOWN || sqlstate === PG.CANNOT_CONNECT_NOW
  }
  if (isReleasedRunner(error)) return true
  const inner = (error as { driverError?: unknown }).driverError ?? error
  const code = (inner as { code?: unknown }).code
  if (typeof code === "string" && NETWORK_CODES.has(code)) return true
  const message = String((inner as { message?: unknown }).message ?? "")
  return CONNECTION_MESSAGES.some((re) => re.test(message))
}

/** A connection that was never obtained (or refused before any statement ran). */
function isConnectFailure(error: unknown): boolean {
  const inner = ((error as { driverError?: unknown })?.driverError ?? error) as { code?: unknown; message?: unknown }
  const code = driverErrorOf(error)?.code ?? inner?.code
  if (code === PG.CANNOT_CONNECT_NOW || code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EAI_AGAIN") return true
  if (typeof code === "string" && (code === "08001" || code === "08004")) return true
  return /timeout exceeded when trying to connect/i.test(String(inner?.message ?? ""))
}

/**
 * A unique violation, worded as the official module's raw error is: the driver's message for a
 * direct caller, and, through Medusa's API, the message Medusa's `formatException` makes of
 * the same `code`, `table` and `detail` (`Inventory_level with inventory_item_id, location_id
 * iitem_1, sloc_1 already exists.`).
 */
function duplicateError(err: DriverError & Error & { table?: string }): MedusaError {
  const error = new MedusaError(MedusaError.Types.DUPLICATE_ERROR, err.message || "A record with the same unique key already exists")
  return Object.assign(error, { code: err.code, table: err.table, detail: err.detail })
}

/** The code on the "database unavailable" error, distinct from other DB_ERRORs. */
export const DATABASE_UNAVAILABLE = "inventory_database_unavailable"

export interface ErrorCircumstances {
  /** True when the failed call cannot have written anything (a read, or a transaction that never committed). */
  nothingWritten: boolean
}

/** Keeps the original error as `cause` (the driver's, not TypeORM's wrapper, which holds SQL and parameters). */
function withCause<E extends Error>(error: E, cause: unknown): E {
  Object.defineProperty(error, "cause", { value: cause, enumerable: false, configurable: true, writable: true })
  return error
}

/** The driver's message: the server's primary message, never the statement or its parameters. */
function driverMessage(error: unknown): string {
  // TypeORM released the query runner on the driver's "connection lost" event before the next
  // statement ran (a race with the server closing the connection): its own wording names
  // query runners, not the cause, so the cause is said plainly.
  if (isReleasedRunner(error)) return "Connection lost: the database closed the connection"
  const driver = driverErrorOf(error)
  const inner = (driver ?? (error as { driverError?: unknown })?.driverError ?? error) as { message?: unknown; code?: unknown }
  const code = driver?.code ?? (typeof inner?.code === "string" ? inner.code : undefined)
  const message = String(inner?.message ?? "").split("\n")[0]
  if (!code) return message
  // A SQLSTATE is five characters; the rest are Node's network codes (ECONNRESET, ETIMEDOUT).
  return /^[0-9A-Z]{5}$/.test(code) ? `SQLSTATE ${code}: ${message}` : message.includes(code) ? message : `${code}: ${message}`
}

/**
 * Turns anything a public method might throw into a MedusaError, so that Medusa's API maps
 * it to the right HTTP status and no driver error (with its SQL) reaches a caller. Database
 * failures keep the driver's error as `cause` and name its SQLSTATE and message.
 */
export function toMedusaError(error: unknown, circumstances: ErrorCircumstances = { nothingWritten: false }): Error {
  // `instanceof` fails on MedusaErrors from @medusajs/utils 1.x (its compiled class loses its
  // prototype) and across copies of the package; the marker property does not.
  if (MedusaError.isMedusaError(error)) {
    return error as Error
  }
  const original = driverErrorOf(error) ?? (error as { driverError?: unknown })?.driverError ?? error
  if (isConnectionError(error)) {
    const nothing = circumstances.nothingWritten || isConnectFailure(error)
    return withCause(
      new MedusaError(
        MedusaError.Types.DB_ERROR,
        `The inventory database is unavailable (${driverMessage(error)}); ` +
          (nothing ? "nothing was written" : "the change may or may not have been applied: check before retrying"),
        DATABASE_UNAVAILABLE
      ),
      original
    )
  }
  const driverError = driverErrorOf(error)
  if (driverError) {
    switch (driverError.code) {
      case PG.UNIQUE_VIOLATION:
        return withCause(duplicateError(driverError), driverError)
      case PG.NUMERIC_OUT_OF_RANGE:
        return withCause(
          new MedusaError(
            MedusaError.Types.INVALID_DATA,
            "A quantity would leave the range of a PostgreSQL integer (-2147483648 to 2147483647)"
          ),
          driverError
        )
      case PG.NOT_NULL_VIOLATION:
        return withCause(
          new MedusaError(MedusaError.Types.INVALID_DATA, `"${driverError.column ?? "a required field"}" must not be null`),
          driverError
        )
      case PG.DEADLOCK:
      case PG.SERIALIZATION_FAILURE:
        return withCause(
          new MedusaError(MedusaError.Types.CONFLICT, "The inventory changed concurrently; retry the operation"),
          driverError
        )
      case PG.LOCK_NOT_AVAILABLE:
      case PG.QUERY_CANCELED:
        return withCause(
          new MedusaError(
            MedusaError.Types.CONFLICT,
            `The inventory operation timed out (${driverMessage(driverError)}); nothing was written, retry it`
          ),
          driverError
        )
    }
    if (driverError.code?.startsWith("22") || driverError.code?.startsWith("23")) {
      return withCause(new MedusaError(MedusaError.Types.INVALID_DATA, "The input was rejected by the database as invalid"), driverError)
    }
    // The package was upgraded and the database was not: say what to do about it.
    const hint = SCHEMA_BEHIND.has(driverError.code ?? "")
      ? "; the database lacks part of this module's schema: run its migrations (`medusa migrations run`)"
      : ""
    return withCause(
      new MedusaError(MedusaError.Types.DB_ERROR, `The inventory database failed to run the operation (${driverMessage(driverError)})${hint}`),
      driverError
    )
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

/** Whether `error` is one the module logs: a database failure a person should look at. */
export function isDatabaseFailure(error: unknown): boolean {
  return MedusaError.isMedusaError(error) && (error as MedusaError).type === MedusaError.Types.DB_ERROR
}
