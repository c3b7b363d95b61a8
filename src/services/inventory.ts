import type {
  BulkUpdateInventoryLevelInput,
  CreateInventoryItemInput,
  CreateInventoryLevelInput,
  CreateReservationItemInput,
  FilterableInventoryItemProps,
  FilterableInventoryLevelProps,
  FilterableReservationItemProps,
  FindConfig,
  IInventoryService,
  InternalModuleDeclaration,
  InventoryItemDTO,
  InventoryLevelDTO,
  ModuleJoinerConfig,
  ReservationItemDTO,
  SharedContext,
  UpdateInventoryLevelInput,
  UpdateReservationItemInput,
} from "@medusajs/types"
import { InjectEntityManager, MedusaContext } from "@medusajs/utils"
import type { DataSource, EntityManager } from "typeorm"
import { ListConfig, ListNeeds, ListSpec, runListQuery } from "../db/list-query"
import { ReplicaSet } from "../db/replicas"
import { joinerConfig } from "../joiner-config"
import { resolveOptions } from "../options"
import { allocate, confirmStock, listLevels } from "../stock/allocation"
import type { StockContext } from "../stock/context"
import { deleteItems, insertItems, ITEM_LIST, ITEM_RETRIEVE, restoreItems, updateItem } from "../stock/items"
import { adjustStocked, deleteLevel, deleteLevelsAt, findLevel, insertLevels, LevelQuantity, sumLevels, updateLevels } from "../stock/levels"
import { Reasons, SET_ASIDE_STATES } from "../stock/ledger"
import {
  badCountRows,
  countIdempotencyKey,
  CountDiffRow,
  diffCount,
  fileHash,
  parseCountCsv,
  staleCount,
  StaleCountRow,
} from "../stock/counts"
import { releaseSetAside, setAside } from "../stock/set-aside"
import { listStockLevels, StockLevelRow } from "../stock/stock-levels"
import { receiveTransfer, TRANSFER_LIST, TransferDTO, transferStock, TransferWrite } from "../stock/transfers"
import { findReservation, publicReservation, release, ReleaseTarget, RESERVATION_LIST, updateReservation } from "../stock/reservations"
import { once, onceWith, ResultCodec, reviveDates, StockedChange, writeStocked } from "../stock/stocked"
import { itemInput, itemUpdate, levelInput, levelKeyedUpdate, levelUpdate, MOVEMENT_DELTAS, MOVEMENTS, reservationInput, reservationUpdate } from "../stock/tables"
import type {
  FilterableInventoryMovementProps,
  InventoryModuleOptions,
  InventoryMovementDTO,
  StockedQuantityAdjustment,
  StockedQuantitySet,
  StockMovementOptions,
} from "../types"
import { adjustmentWithoutLocation, invalidData, itemNotFound } from "../utils/errors"
import { EventBusLike, InventoryEvents } from "../utils/events"
import {
  anyInt,
  id as idSchema,
  positiveInt,
  idOrIds,
  listOf,
  nonNegativeInt,
  optional as optionalField,
  strictObject,
  toArray,
  validate,
  validateArray,
  validateObject,
  validateOptionalObject,
  z,
} from "../utils/validation"
import { CallHost, InventoryMethod, ModuleRuntime, stockContext } from "./call"

type MedusaErrorLike = { type?: string }

type InjectedDependencies = {
  manager: EntityManager
  eventBusService?: EventBusLike
  logger?: ModuleRuntime["logger"]
  /** Registered by the connection loader in isolated mode; closed on shutdown. */
  inventoryDataSource?: DataSource
}

/** Awilix throws when a name is not registered; optional dependencies are read through this. */
function optional<K extends keyof InjectedDependencies>(deps: InjectedDependencies, key: K): InjectedDependencies[K] | undefined {
  try {
    return deps[key]
  } catch {
    return undefined
  }
}

const DEFAULT_LIST_CONFIG = { relations: [], skip: 0, take: 10 }

/** The filters of `listInventoryMovements`. */
const MOVEMENT_FILTERS = [
  "id",
  "inventory_item_id",
  "location_id",
  "reason",
  "reference",
  "actor",
  "reservation_item_id",
  "idempotency_key",
  "created_at",
  "state",
  "transfer_id",
]

const label = z.string({ error: "must be a string" }).min(1, { error: "must not be empty" }).max(512, { error: "is longer than 512 characters" })
const movementNote = z
  .object({ reason: label.optional(), reference: label.optional(), actor: label.optional(), idempotency_key: label.optional(), metadata: z.record(z.string(), z.unknown(), { error: "must be an object" }).optional() })
  .strict()
const adjustmentInput = strictObject({ inventory_item_id: idSchema, location_id: idSchema, delta: anyInt })
const setInput = strictObject({ inventory_item_id: idSchema, location_id: idSchema, quantity: anyInt, expected_quantity: optionalField(anyInt) })

const stateSchema = z.enum(SET_ASIDE_STATES, { error: `must be one of ${SET_ASIDE_STATES.map((s) => `"${s}"`).join(", ")}` })
const noteFields = {
  reference: label.optional(),
  actor: label.optional(),
  idempotency_key: label.optional(),
  metadata: z.record(z.string(), z.unknown(), { error: "must be an object" }).optional(),
}
const setAsideInput = z
  .object({ inventory_item_id: idSchema, location_id: idSchema, quantity: positiveInt, state: stateSchema, reason: label.optional(), ...noteFields })
  .strict()
const releaseInput = setAsideInput.extend({ to: z.enum(["stocked", "discard"], { error: `must be "stocked" or "discard"` }) }).strict()
const transferInput = z
  .object({
    inventory_item_id: idSchema,
    from_location_id: idSchema,
    to_location_id: idSchema,
    quantity: positiveInt,
    in_transit: z.boolean({ error: "must be a boolean" }).optional(),
    ...noteFields,
  })
  .strict()
  .refine((t) => t.from_location_id !== t.to_location_id, { error: "must differ from from_location_id", path: ["to_location_id"] })
const receiveInput = z.object({ received_quantity: nonNegativeInt, ...noteFields }).strict()
const stockLevelFilters = z
  .object({
    location_id: z.union([idSchema, z.array(idSchema)], { error: "must be a location id or an array of them" }).optional(),
    q: z.string({ error: "must be a string" }).max(512, { error: "is longer than 512 characters" }).optional(),
    low_stock: z.boolean({ error: "must be a boolean" }).optional(),
  })
  .strict()
const stockLevelPage = z
  .object({ skip: nonNegativeInt.optional(), take: z.number({ error: "must be an integer from 1 to 1000" }).int().min(1).max(1000).optional() })
  .strict()
const countFile = z.string({ error: "must be the CSV text of the count" }).min(1, { error: "must not be empty" })
const countOptions = z
  .object({ expected: z.array(nonNegativeInt, { error: "must be an array of the diff's current quantities" }), reference: label.optional(), actor: label.optional() })
  .strict()

/** A count's diff (`previewStockCount`): its rows, and the file's hash. */
export interface StockCountDiff {
  file_hash: string
  rows: CountDiffRow[]
}

/** What `applyStockCount` did. */
export interface StockCountResult {
  file_hash: string
  idempotency_key: string
  /** The file was applied before with the same quantities: nothing was written now. */
  replayed: boolean
  /** Rows counted, and levels whose stocked quantity the count changed. */
  rows: number
  changed: number
}

/** Transfers kept with their idempotency key, and read back for a repeated call. */
const TRANSFER_CODEC: ResultCodec<TransferWrite> = {
  store: (result) => ({ transfer: result.transfer }),
  revive: (stored) => ({ transfer: reviveDates((stored as { transfer: TransferDTO }).transfer), changed: [] }),
}

/** A single write, unless an idempotency key asks for a transaction (the key is claimed in it). */
const withoutKey = (args: unknown[]) => {
  const input = args[0] as { idempotency_key?: unknown } | undefined
  return !input || typeof input !== "object" || input.idempotency_key === undefined
}

/** Lists (and retrieves) are one statement unless `config.relations` joins more tables. */
const withoutRelations = (configIndex: number) => (args: unknown[]) => {
  const relations = (args[configIndex] as FindConfig<unknown> | undefined)?.relations
  return !Array.isArray(relations) || relations.length === 0
}

/** Lists and retrieves: one statement (unless relations are joined), read-only, replica-eligible. */
const LIST = { singleStatement: withoutRelations(1), readOnly: true, replica: true }
/** Quantities and confirmInventory: one statement, read-only, always on the primary (checkouts decide on them). */
const QUANTITY = { singleStatement: true, readOnly: true }

/**
 * The inventory module's public facade: every method of `IInventoryService`, each one
 * transaction (joining `context.transactionManager` when the caller passes one). Each method
 * validates its input, calls one stock operation (src/stock/) and records its events; the
 * `@InventoryMethod` decorator (./call.ts) decides where the call runs and sends the events
 * once the data is committed.
 */
export default class InventoryService implements IInventoryService, CallHost {
  static Events = InventoryEvents

  readonly manager_: EntityManager
  readonly eventBusService_?: EventBusLike
  readonly runtime_: ModuleRuntime
  private readonly dataSource_?: DataSource

  constructor(
    dependencies: InjectedDependencies,
    options: InventoryModuleOptions = {},
    protected readonly moduleDeclaration?: InternalModuleDeclaration
  ) {
    this.manager_ = dependencies.manager
    this.eventBusService_ = optional(dependencies, "eventBusService")
    this.dataSource_ = optional(dependencies, "inventoryDataSource")
    const logger = optional(dependencies, "logger")
    const settings = resolveOptions(options ?? {})
    this.runtime_ = {
      settings: settings.statements,
      strict: settings.strict,
      ledger: settings.ledger,
      lowStockThreshold: settings.lowStockThreshold,
      allocation: settings.allocation,
      confirmPerLocation: settings.confirmPerLocation,
      logger,
      replicas: settings.replicas.length
        ? new ReplicaSet({
            urls: settings.replicas.map((r) => r.url),
            poolMax: Math.max(...settings.replicas.map((r) => r.max)),
            maxLagMs: settings.maxReplicaLagMs,
            checkIntervalMs: settings.replicaCheckIntervalMs,
            queryTimeoutMs: settings.callTimeoutMs,
            onWarning: (message) => (logger?.warn ? logger.warn(message) : process.emitWarning(message)),
          })
        : undefined,
    }
    if (settings.sweepIntervalMs) this.startSweeper(settings.sweepIntervalMs)
  }

  private sweeper_?: NodeJS.Timeout
  private sweeping_?: Promise<unknown>

  /** Releases expired reservations every `intervalMs` until the module shuts down. */
  private startSweeper(intervalMs: number): void {
    this.sweeper_ = setInterval(() => {
      if (this.sweeping_) return
      this.sweeping_ = this.sweepExpiredReservations()
        .catch((error: Error) => this.runtime_.logger?.warn?.(`medusa-inventory-typeorm: sweeping expired reservations failed: ${error.message}`))
        .finally(() => (this.sweeping_ = undefined))
    }, intervalMs)
    this.sweeper_.unref()
  }

  /** Stops the sweeper; a sweep under way finishes first. */
  async stopSweeper(): Promise<void> {
    if (this.sweeper_) clearInterval(this.sweeper_)
    this.sweeper_ = undefined
    await this.sweeping_
  }

  /** Lifecycle hooks called by `@medusajs/modules-sdk` (`MedusaModule.onApplicationShutdown()`). */
  readonly __hooks = {
    onApplicationShutdown: async (): Promise<void> => {
      await this.stopSweeper()
      await this.runtime_.replicas?.close()
      if (this.dataSource_?.isInitialized) {
        await this.dataSource_.destroy()
      }
    },
  }

  __joinerConfig(): ModuleJoinerConfig {
    return joinerConfig
  }

  /** The stock operations' context for this call. */
  private stock(context: SharedContext): StockContext {
    return stockContext(this, context)
  }

  // ---------------------------------------------------------------- lists and retrieves

  @InventoryMethod(LIST)
  @InjectEntityManager()
  async listInventoryItems(
    selector: FilterableInventoryItemProps = {},
    config: FindConfig<InventoryItemDTO> = DEFAULT_LIST_CONFIG,
    @MedusaContext() context: SharedContext = {}
  ): Promise<[InventoryItemDTO[], number]> {
    return await this.list(ITEM_LIST, selector, config, context)
  }

  @InventoryMethod(LIST)
  @InjectEntityManager()
  async listInventoryLevels(
    selector: FilterableInventoryLevelProps = {},
    config: FindConfig<InventoryLevelDTO> = DEFAULT_LIST_CONFIG,
    @MedusaContext() context: SharedContext = {}
  ): Promise<[InventoryLevelDTO[], number]> {
    // As in the official module, a missing selector is no filter, a missing config ten rows.
    const filters = validateOptionalObject(selector, "selector") ?? {}
    const options = config === undefined || config === null ? DEFAULT_LIST_CONFIG : validateObject(config, "config")
    return await listLevels(this.stock(context), filters, options as ListConfig)
  }

  @InventoryMethod(LIST)
  @InjectEntityManager()
  async listReservationItems(
    selector: FilterableReservationItemProps = {},
    config: FindConfig<ReservationItemDTO> = DEFAULT_LIST_CONFIG,
    @MedusaContext() context: SharedContext = {}
  ): Promise<[ReservationItemDTO[], number]> {
    const [rows, count] = await this.list<ReservationItemDTO>(RESERVATION_LIST, selector, config, context)
    return [rows.map(publicReservation), count]
  }

  @InventoryMethod(LIST)
  @InjectEntityManager()
  async retrieveInventoryItem(
    inventoryItemId: string,
    config?: FindConfig<InventoryItemDTO>,
    @MedusaContext() context: SharedContext = {}
  ): Promise<InventoryItemDTO> {
    const id = validate(idSchema, inventoryItemId, "inventoryItemId")
    const { skip: _skip, take: _take, ...rest } = (config == null ? {} : validateObject(config, "config")) as ListConfig
    const [[item]] = await this.list<InventoryItemDTO>(ITEM_RETRIEVE, { id }, { ...rest, take: 1 }, context, { count: false })
    if (!item) throw itemNotFound(id)
    return item
  }

  @InventoryMethod({ ...LIST, singleStatement: true })
  @InjectEntityManager()
  async retrieveInventoryLevel(
    inventoryItemId: string,
    locationId: string,
    @MedusaContext() context: SharedContext = {}
  ): Promise<InventoryLevelDTO> {
    const inventory_item_id = validate(idSchema, inventoryItemId, "inventoryItemId")
    const location_id = validate(idSchema, locationId, "locationId")
    return await findLevel(this.stock(context), { inventory_item_id, location_id })
  }

  @InventoryMethod({ ...LIST, singleStatement: true })
  @InjectEntityManager()
  async retrieveReservationItem(reservationId: string, @MedusaContext() context: SharedContext = {}): Promise<ReservationItemDTO> {
    const id = validate(idSchema, reservationId, "reservationId")
    return await findReservation(this.stock(context), id)
  }

  // ---------------------------------------------------------------- inventory items

  @InventoryMethod({ singleStatement: true })
  @InjectEntityManager()
  async createInventoryItem(input: CreateInventoryItemInput, @MedusaContext() context: SharedContext = {}): Promise<InventoryItemDTO> {
    const [item] = await this.createItems([validate(itemInput, input, "input")], context)
    return item
  }

  @InventoryMethod({ singleStatement: true })
  @InjectEntityManager()
  async createInventoryItems(input: CreateInventoryItemInput[], @MedusaContext() context: SharedContext = {}): Promise<InventoryItemDTO[]> {
    return await this.createItems(validate(listOf(itemInput), validateArray(input, "input"), "input"), context)
  }

  @InventoryMethod({ singleStatement: true })
  @InjectEntityManager()
  async updateInventoryItem(
    inventoryItemId: string,
    input: Partial<CreateInventoryItemInput>,
    @MedusaContext() context: SharedContext = {}
  ): Promise<InventoryItemDTO> {
    const id = validate(idSchema, inventoryItemId, "inventoryItemId")
    const data = validate(itemUpdate, validateObject(input, "input"), "input")
    const ctx = this.stock(context)
    const { item, changed } = await updateItem(ctx, id, data)
    if (changed) ctx.events.add(InventoryEvents.ITEM_UPDATED, { id })
    return item
  }

  @InventoryMethod()
  @InjectEntityManager()
  async deleteInventoryItem(inventoryItemId: string | string[], @MedusaContext() context: SharedContext = {}): Promise<void> {
    const ids = toArray(validate(idOrIds, inventoryItemId, "inventoryItemId"))
    const ctx = this.stock(context)
    await deleteItems(ctx, ids)
    ctx.events.add(InventoryEvents.LEVEL_DELETED, { inventory_item_id: inventoryItemId })
    ctx.events.add(InventoryEvents.ITEM_DELETED, { ids: inventoryItemId })
  }

  @InventoryMethod()
  @InjectEntityManager()
  async restoreInventoryItem(inventoryItemId: string | string[], @MedusaContext() context: SharedContext = {}): Promise<void> {
    const ids = toArray(validate(idOrIds, inventoryItemId, "inventoryItemId"))
    const ctx = this.stock(context)
    await restoreItems(ctx, ids)
    ctx.events.add(InventoryEvents.LEVEL_RESTORED, { inventory_item_id: inventoryItemId })
    ctx.events.add(InventoryEvents.ITEM_RESTORED, { ids: inventoryItemId })
  }

  // ---------------------------------------------------------------- inventory levels

  @InventoryMethod()
  @InjectEntityManager()
  async createInventoryLevel(data: CreateInventoryLevelInput, @MedusaContext() context: SharedContext = {}): Promise<InventoryLevelDTO> {
    const [level] = await this.createLevels([validate(levelInput, data, "data")], context)
    return level
  }

  @InventoryMethod()
  @InjectEntityManager()
  async createInventoryLevels(data: CreateInventoryLevelInput[], @MedusaContext() context: SharedContext = {}): Promise<InventoryLevelDTO[]> {
    return await this.createLevels(validate(listOf(levelInput), validateArray(data, "data"), "data"), context)
  }

  @InventoryMethod({ singleStatement: true })
  @InjectEntityManager()
  async updateInventoryLevel(
    inventoryItemId: string,
    locationId: string,
    update: UpdateInventoryLevelInput,
    @MedusaContext() context: SharedContext = {}
  ): Promise<InventoryLevelDTO> {
    const inventory_item_id = validate(idSchema, inventoryItemId, "inventoryItemId")
    const location_id = validate(idSchema, locationId, "locationId")
    const data = validate(levelUpdate, validateObject(update, "update"), "update")
    const [level] = await this.updateLevels([{ ...data, inventory_item_id, location_id }], context)
    return level
  }

  @InventoryMethod({ singleStatement: true })
  @InjectEntityManager()
  async updateInventoryLevels(
    updates: BulkUpdateInventoryLevelInput[],
    @MedusaContext() context: SharedContext = {}
  ): Promise<InventoryLevelDTO[]> {
    return await this.updateLevels(validate(listOf(levelKeyedUpdate), validateArray(updates, "updates"), "updates"), context)
  }

  @InventoryMethod({ singleStatement: true })
  @InjectEntityManager()
  async deleteInventoryLevel(inventoryItemId: string, locationId: string, @MedusaContext() context: SharedContext = {}): Promise<void> {
    const inventory_item_id = validate(idSchema, inventoryItemId, "inventoryItemId")
    const location_id = validate(idSchema, locationId, "locationId")
    const ctx = this.stock(context)
    const deleted = await deleteLevel(ctx, { inventory_item_id, location_id })
    if (deleted) ctx.events.add(InventoryEvents.LEVEL_DELETED, { ids: deleted })
  }

  @InventoryMethod({ singleStatement: true })
  @InjectEntityManager()
  async deleteInventoryItemLevelByLocationId(locationId: string | string[], @MedusaContext() context: SharedContext = {}): Promise<void> {
    const ids = toArray(validate(idOrIds, locationId, "locationId"))
    const ctx = this.stock(context)
    await deleteLevelsAt(ctx, ids)
    ctx.events.add(InventoryEvents.LEVEL_DELETED, { location_ids: ids })
  }

  @InventoryMethod({ singleStatement: true })
  @InjectEntityManager()
  async adjustInventory(
    inventoryItemId: string,
    locationId: string,
    adjustment: number,
    @MedusaContext() context: SharedContext = {}
  ): Promise<InventoryLevelDTO> {
    const inventory_item_id = validate(idSchema, inventoryItemId, "inventoryItemId")
    // Medusa 1.20 passes no location for a return received without one; the stock came back somewhere.
    if (locationId === undefined || locationId === null) throw adjustmentWithoutLocation(inventory_item_id, locationId)
    const location_id = validate(idSchema, locationId, "locationId")
    const delta = validate(anyInt, adjustment, "adjustment")
    const ctx = this.stock(context)
    const level = await adjustStocked(ctx, { inventory_item_id, location_id }, delta)
    if (delta !== 0) ctx.events.add(InventoryEvents.LEVEL_UPDATED, { id: level.id })
    return level
  }

  // ---------------------------------------------------------------- quantities

  @InventoryMethod(QUANTITY)
  @InjectEntityManager()
  async retrieveAvailableQuantity(inventoryItemId: string, locationIds: string[], @MedusaContext() context: SharedContext = {}): Promise<number> {
    return await this.sum("available", inventoryItemId, locationIds, context)
  }

  @InventoryMethod(QUANTITY)
  @InjectEntityManager()
  async retrieveStockedQuantity(inventoryItemId: string, locationIds: string[], @MedusaContext() context: SharedContext = {}): Promise<number> {
    return await this.sum("stocked", inventoryItemId, locationIds, context)
  }

  @InventoryMethod(QUANTITY)
  @InjectEntityManager()
  async retrieveReservedQuantity(inventoryItemId: string, locationIds: string[], @MedusaContext() context: SharedContext = {}): Promise<number> {
    return await this.sum("reserved", inventoryItemId, locationIds, context)
  }

  @InventoryMethod(QUANTITY)
  @InjectEntityManager()
  async confirmInventory(
    inventoryItemId: string,
    locationIds: string[],
    quantity: number,
    @MedusaContext() context: SharedContext = {}
  ): Promise<boolean> {
    const wanted = validate(nonNegativeInt, quantity, "quantity")
    const itemId = validate(idSchema, inventoryItemId, "inventoryItemId")
    const locations = toArray(validate(idOrIds, locationIds, "locationIds"))
    return await confirmStock(this.stock(context), itemId, locations, wanted)
  }

  // ---------------------------------------------------------------- reservations

  @InventoryMethod({ singleStatement: true })
  @InjectEntityManager()
  async createReservationItem(input: CreateReservationItemInput, @MedusaContext() context: SharedContext = {}): Promise<ReservationItemDTO> {
    const [reservation] = await this.reserve([validate(reservationInput, input, "input")], context)
    return reservation
  }

  @InventoryMethod({ singleStatement: true })
  @InjectEntityManager()
  async createReservationItems(
    input: CreateReservationItemInput[],
    @MedusaContext() context: SharedContext = {}
  ): Promise<ReservationItemDTO[]> {
    return await this.reserve(validate(listOf(reservationInput), validateArray(input, "input"), "input"), context)
  }

  @InventoryMethod()
  @InjectEntityManager()
  async updateReservationItem(
    reservationItemId: string,
    input: UpdateReservationItemInput,
    @MedusaContext() context: SharedContext = {}
  ): Promise<ReservationItemDTO> {
    const id = validate(idSchema, reservationItemId, "reservationItemId")
    const data = validate(reservationUpdate, validateObject(input, "input"), "input")
    const ctx = this.stock(context)
    const reservation = await updateReservation(ctx, id, data)
    ctx.events.add(InventoryEvents.RESERVATION_UPDATED, { id })
    return reservation
  }

  @InventoryMethod()
  @InjectEntityManager()
  async deleteReservationItem(reservationItemId: string | string[], @MedusaContext() context: SharedContext = {}): Promise<void> {
    const ids = toArray(validate(idOrIds, reservationItemId, "reservationItemId"))
    await this.release({ by: "id", ids }, { ids: reservationItemId }, context)
  }

  @InventoryMethod()
  @InjectEntityManager()
  async deleteReservationItemsByLineItem(lineItemId: string | string[], @MedusaContext() context: SharedContext = {}): Promise<void> {
    const ids = toArray(validate(idOrIds, lineItemId, "lineItemId"))
    await this.release({ by: "line_item_id", ids }, { line_item_id: lineItemId }, context)
  }

  @InventoryMethod()
  @InjectEntityManager()
  async deleteReservationItemByLocationId(locationId: string | string[], @MedusaContext() context: SharedContext = {}): Promise<void> {
    const ids = toArray(validate(idOrIds, locationId, "locationId"))
    await this.release({ by: "location_id", ids }, { location_id: locationId }, context)
  }

  // ---------------------------------------------------------------- stock ledger (beyond IInventoryService)

  /**
   * The stock movements (newest first by default): every change of a level's stocked or
   * reserved quantity, with its reason, reference, actor and the quantities after it.
   */
  @InventoryMethod(LIST)
  @InjectEntityManager()
  async listInventoryMovements(
    selector: FilterableInventoryMovementProps = {},
    config: FindConfig<InventoryMovementDTO> = DEFAULT_LIST_CONFIG,
    @MedusaContext() context: SharedContext = {}
  ): Promise<[InventoryMovementDTO[], number]> {
    const filters = validateOptionalObject(selector, "selector") ?? {}
    for (const field of Object.keys(filters)) {
      if (!MOVEMENT_FILTERS.includes(field)) {
        throw invalidData(`Unknown filter "${field}" for inventory movements (use ${MOVEMENT_FILTERS.join(", ")})`)
      }
    }
    const options: Record<string, unknown> = config === undefined || config === null ? DEFAULT_LIST_CONFIG : validateObject(config, "config")
    const ordered = options.order === undefined ? { ...options, order: { created_at: "DESC", id: "DESC" } } : options
    const [rows, count] = await this.list<InventoryMovementDTO>(MOVEMENTS, filters, ordered, context)
    // The deltas are bigint columns, which the driver answers as strings.
    for (const row of rows as unknown as Record<string, unknown>[]) {
      for (const delta of MOVEMENT_DELTAS) if (row[delta] !== undefined) row[delta] = Number(row[delta])
    }
    return [rows, count]
  }

  /**
   * Adds `delta` to the stocked quantity of each level, all or nothing, with one movement per
   * level (reason `adjustment` unless given). With `options.idempotency_key`, a repeated call
   * with the same input returns the first call's levels and writes nothing.
   */
  @InventoryMethod()
  @InjectEntityManager()
  async adjustStockedQuantities(
    changes: StockedQuantityAdjustment[],
    options: StockMovementOptions = {},
    @MedusaContext() context: SharedContext = {}
  ): Promise<InventoryLevelDTO[]> {
    const list = validate(listOf(adjustmentInput), validateArray(changes, "changes"), "changes")
    const note = validate(movementNote, options ?? {}, "options")
    const request = { method: "adjustStockedQuantities", changes: list, options: note }
    const ctx = this.stock(context)
    ctx.note = note
    const stocked: StockedChange[] = list.map((c) => ({ inventory_item_id: c.inventory_item_id, location_id: c.location_id, value: c.delta }))
    const { levels, changed } = await once(ctx, note.idempotency_key, request, () => writeStocked(ctx, "adjust", stocked))
    for (const id of changed) ctx.events.add(InventoryEvents.LEVEL_UPDATED, { id })
    return levels
  }

  /**
   * Sets the stocked quantity of each level, all or nothing, with one movement per changed
   * level (reason `correction` unless given). With `expected_quantity`, nothing is written
   * unless the level still holds that quantity: CONFLICT naming the item, the location, the
   * expected and the current quantity. Idempotent with `options.idempotency_key`.
   */
  @InventoryMethod()
  @InjectEntityManager()
  async setStockedQuantities(
    changes: StockedQuantitySet[],
    options: StockMovementOptions = {},
    @MedusaContext() context: SharedContext = {}
  ): Promise<InventoryLevelDTO[]> {
    const list = validate(listOf(setInput), validateArray(changes, "changes"), "changes")
    const seen = new Map<string, number>()
    list.forEach((c, i) => {
      const key = `${c.inventory_item_id}\u0000${c.location_id}`
      if (seen.has(key)) {
        throw invalidData(`"changes.${i}" sets the level of item ${c.inventory_item_id} at location ${c.location_id} again (see "changes.${seen.get(key)}")`)
      }
      seen.set(key, i)
    })
    const note = validate(movementNote, options ?? {}, "options")
    const request = { method: "setStockedQuantities", changes: list, options: note }
    const ctx = this.stock(context)
    ctx.note = note
    const stocked: StockedChange[] = list.map((c) => ({
      inventory_item_id: c.inventory_item_id,
      location_id: c.location_id,
      value: c.quantity,
      expected: c.expected_quantity,
    }))
    const { levels, changed } = await once(ctx, note.idempotency_key, request, () => writeStocked(ctx, "set", stocked))
    for (const id of changed) ctx.events.add(InventoryEvents.LEVEL_UPDATED, { id })
    return levels
  }

  /**
   * Releases every live reservation whose `expires_at` has passed (movement reason `expired`,
   * event `reservation-item.deleted`); their ids. Run by `medusa-inventory sweep` and, with the
   * `sweepIntervalMs` option, by the module itself.
   */
  @InventoryMethod()
  @InjectEntityManager()
  async sweepExpiredReservations(@MedusaContext() context: SharedContext = {}): Promise<string[]> {
    const ctx = this.stock(context)
    const ids = await release(ctx, { by: "expired", ids: [] }, Reasons.EXPIRED)
    if (ids.length) ctx.events.add(InventoryEvents.RESERVATION_DELETED, { ids })
    return ids
  }

  // ---------------------------------------------------------------- warehouse operations (beyond IInventoryService)

  /**
   * Sets `quantity` units of a level aside as `damaged`, `quality_control` or `safety_stock`:
   * they leave `stocked_quantity` (so availability, stocked − reserved, excludes them) and are
   * held in the level's `unavailable` breakdown. Refused with CONFLICT when the level has fewer
   * units available; the movement (reason `set_aside` unless given) carries the state.
   * Not a reservation: reservations are released with `deleteReservationItem`.
   */
  @InventoryMethod({ singleStatement: withoutKey })
  @InjectEntityManager()
  async setAsideStock(input: z.input<typeof setAsideInput>, @MedusaContext() context: SharedContext = {}): Promise<InventoryLevelDTO> {
    const data = validate(setAsideInput, validateObject(input, "input"), "input")
    const { inventory_item_id, location_id, quantity, state, ...note } = data
    const ctx = this.stock(context)
    ctx.note = note
    const change = { inventory_item_id, location_id, quantity, state }
    const request = { method: "setAsideStock", ...data }
    const { levels, changed } = await once(ctx, note.idempotency_key, request, async () => {
      const level = await setAside(ctx, change)
      return { levels: [level], changed: [level.id] }
    })
    for (const id of changed) ctx.events.add(InventoryEvents.LEVEL_UPDATED, { id })
    return levels[0]
  }

  /**
   * Takes units set aside out of their state: back to stock (`to: "stocked"`, movement
   * `returned_to_stock`) or out of the inventory (`to: "discard"`, movement `discarded`).
   * CONFLICT when the level holds fewer in that state. (Named so as not to be confused with
   * releasing a reservation.)
   */
  @InventoryMethod({ singleStatement: withoutKey })
  @InjectEntityManager()
  async releaseSetAside(input: z.input<typeof releaseInput>, @MedusaContext() context: SharedContext = {}): Promise<InventoryLevelDTO> {
    const data = validate(releaseInput, validateObject(input, "input"), "input")
    const { inventory_item_id, location_id, quantity, state, to, ...note } = data
    const ctx = this.stock(context)
    ctx.note = note
    const request = { method: "releaseSetAside", ...data }
    const { levels, changed } = await once(ctx, note.idempotency_key, request, async () => {
      const level = await releaseSetAside(ctx, { inventory_item_id, location_id, quantity, state }, to)
      return { levels: [level], changed: [level.id] }
    })
    for (const id of changed) ctx.events.add(InventoryEvents.LEVEL_UPDATED, { id })
    return levels[0]
  }

  /**
   * Moves `quantity` units of an item from one location to another, all or nothing: at once
   * (stocked −n at the source, +n at the destination) or, with `in_transit: true`, into the
   * destination's `incoming_quantity` until `receiveTransfer`. The source must have the units
   * available (stocked − reserved): otherwise CONFLICT naming the source, the need and what is
   * available. Both levels must exist. Idempotent with `idempotency_key`.
   */
  @InventoryMethod()
  @InjectEntityManager()
  async transferStock(input: z.input<typeof transferInput>, @MedusaContext() context: SharedContext = {}): Promise<TransferDTO> {
    const data = validate(transferInput, validateObject(input, "input"), "input")
    const { inventory_item_id, from_location_id, to_location_id, quantity, in_transit, ...note } = data
    const ctx = this.stock(context)
    ctx.note = note
    const request = { method: "transferStock", ...data, in_transit: in_transit === true }
    const { transfer, changed, replayed } = await onceWith(
      ctx,
      note.idempotency_key,
      request,
      () => transferStock(ctx, { inventory_item_id, from_location_id, to_location_id, quantity, in_transit: in_transit === true }),
      TRANSFER_CODEC
    )
    for (const id of changed) ctx.events.add(InventoryEvents.LEVEL_UPDATED, { id })
    if (!replayed) ctx.events.add(InventoryEvents.TRANSFER_CREATED, { id: transfer.id })
    return transfer
  }

  /**
   * Receives a transfer in transit: `received_quantity` units move from incoming to stocked at
   * the destination; a short receipt records the missing units as a `transfer_loss` movement.
   * The transfer is closed either way. Idempotent with `idempotency_key`; a second receipt of
   * the same transfer is CONFLICT.
   */
  @InventoryMethod()
  @InjectEntityManager()
  async receiveTransfer(
    transferId: string,
    input: z.input<typeof receiveInput>,
    @MedusaContext() context: SharedContext = {}
  ): Promise<TransferDTO> {
    const id = validate(idSchema, transferId, "transferId")
    const data = validate(receiveInput, validateObject(input, "input"), "input")
    const { received_quantity, ...note } = data
    const ctx = this.stock(context)
    ctx.note = note
    const request = { method: "receiveTransfer", transfer_id: id, ...data }
    const { transfer, changed, replayed } = await onceWith(ctx, note.idempotency_key, request, () => receiveTransfer(ctx, id, received_quantity), TRANSFER_CODEC)
    for (const level of changed) ctx.events.add(InventoryEvents.LEVEL_UPDATED, { id: level })
    if (!replayed) ctx.events.add(InventoryEvents.TRANSFER_RECEIVED, { id: transfer.id })
    return transfer
  }

  /**
   * The levels as the Stock page shows them, `[rows, count]`: each with its item's sku and
   * title, its available quantity, its low-stock threshold and its units set aside. Filters:
   * `location_id`, `q` (a part of the sku or title), `low_stock: true` (only levels under their
   * threshold, most short first: the low-stock report). Default page: 20.
   */
  @InventoryMethod({ readOnly: true, replica: true, singleStatement: true })
  @InjectEntityManager()
  async listStockLevels(
    selector: z.input<typeof stockLevelFilters> = {},
    config: z.input<typeof stockLevelPage> = {},
    @MedusaContext() context: SharedContext = {}
  ): Promise<[StockLevelRow[], number]> {
    const filters = validate(stockLevelFilters, selector ?? {}, "selector")
    const page = validate(stockLevelPage, config ?? {}, "config")
    const location_id = filters.location_id === undefined ? undefined : toArray(filters.location_id)
    return await listStockLevels(this.stock(context), { ...filters, location_id }, { skip: page.skip ?? 0, take: page.take ?? 20 })
  }

  /** Transfers (newest first by default), `[rows, count]`; filters on any column, e.g. `{ status: "in_transit" }`. */
  @InventoryMethod(LIST)
  @InjectEntityManager()
  async listTransfers(
    selector: Record<string, unknown> = {},
    config: FindConfig<TransferDTO> = DEFAULT_LIST_CONFIG,
    @MedusaContext() context: SharedContext = {}
  ): Promise<[TransferDTO[], number]> {
    const options: Record<string, unknown> = config === undefined || config === null ? DEFAULT_LIST_CONFIG : validateObject(config, "config")
    const ordered = options.order === undefined ? { ...options, order: { created_at: "DESC", id: "DESC" } } : options
    return await this.list<TransferDTO>(TRANSFER_LIST, selector, ordered, context)
  }

  /**
   * The diff of a cycle count (a CSV file's text: `sku` or `inventory_item_id`, `location_id`,
   * `counted`): per row, its line, the level's current stocked quantity, the count and the
   * delta. Writes nothing. Bad rows (unknown sku, a location the item is not stocked at,
   * negative or non-integer counts, a level counted twice, missing columns) are INVALID_DATA
   * naming each line (`error.data.errors`).
   */
  @InventoryMethod({ readOnly: true })
  @InjectEntityManager()
  async previewStockCount(csv: string, @MedusaContext() context: SharedContext = {}): Promise<StockCountDiff> {
    const text = validate(countFile, csv, "csv")
    const ctx = this.stock(context)
    const { rows, problems } = parseCountCsv(text)
    if (problems.length) throw badCountRows(problems)
    const { diff, problems: unresolved } = await diffCount(ctx, rows)
    if (unresolved.length) throw badCountRows(unresolved)
    return { file_hash: fileHash(text), rows: diff }
  }

  /**
   * Applies a cycle count in one transaction: every row's level set to its count, with
   * compare-and-set against `options.expected` (the diff's current quantities, one per row, in
   * the file's order) and reason `cycle_count`. A level that changed since the diff is
   * CONFLICT naming its rows (`error.data.rows`), and nothing is written. The file's hash is
   * the idempotency key: the same file with the same quantities applies once.
   */
  @InventoryMethod()
  @InjectEntityManager()
  async applyStockCount(
    csv: string,
    options: z.input<typeof countOptions>,
    @MedusaContext() context: SharedContext = {}
  ): Promise<StockCountResult> {
    const text = validate(countFile, csv, "csv")
    const { expected, reference, actor } = validate(countOptions, validateObject(options, "options"), "options")
    const ctx = this.stock(context)
    const { rows, problems } = parseCountCsv(text)
    if (problems.length) throw badCountRows(problems)
    const { diff, problems: unresolved } = await diffCount(ctx, rows)
    if (unresolved.length) throw badCountRows(unresolved)
    if (expected.length !== diff.length) {
      throw invalidData(`"options.expected" has ${expected.length} quantities for the count's ${diff.length} row(s): give the diff's current quantity of each row`)
    }
    const hash = fileHash(text)
    const key = countIdempotencyKey(hash)
    ctx.note = { reason: Reasons.CYCLE_COUNT, reference: reference ?? `count:${hash.slice(0, 12)}`, actor, idempotency_key: key }
    const changes: StockedChange[] = diff.map((row, i) => ({
      inventory_item_id: row.inventory_item_id,
      location_id: row.location_id,
      value: row.counted,
      expected: expected[i],
    }))
    let written: { changed: string[]; replayed: boolean }
    try {
      written = await once(ctx, key, { method: "applyStockCount", file_hash: hash, expected }, () => writeStocked(ctx, "set", changes))
    } catch (error) {
      const stale = (error as { data?: { levels?: { inventory_item_id: string; location_id: string; stocked_quantity: number }[] } }).data?.levels
      if ((error as MedusaErrorLike).type !== "conflict" || !stale?.[0] || !("stocked_quantity" in stale[0])) throw error
      const now = new Map(stale.map((l) => [`${l.inventory_item_id}\u0000${l.location_id}`, l.stocked_quantity]))
      const rowsStale: StaleCountRow[] = diff.flatMap((row, i) => {
        const current = now.get(`${row.inventory_item_id}\u0000${row.location_id}`)
        return current === undefined ? [] : [{ line: row.line, sku: row.sku, inventory_item_id: row.inventory_item_id, location_id: row.location_id, expected: expected[i], current }]
      })
      throw staleCount(rowsStale)
    }
    for (const id of written.changed) ctx.events.add(InventoryEvents.LEVEL_UPDATED, { id })
    return { file_hash: hash, idempotency_key: key, replayed: written.replayed, rows: diff.length, changed: written.changed.length }
  }

  // ---------------------------------------------------------------- shared by several methods

  private async list<DTO>(
    spec: ListSpec,
    selector: unknown,
    config: unknown,
    context: SharedContext,
    needs?: ListNeeds
  ): Promise<[DTO[], number]> {
    // As in the official module, a missing selector is no filter (`listInventoryItems()`).
    const filters = validateOptionalObject(selector, "selector") ?? {}
    const options = config === undefined || config === null ? DEFAULT_LIST_CONFIG : validateObject(config, "config")
    const [rows, count] = await runListQuery(this.stock(context).read, spec, filters, options as ListConfig, needs)
    return [rows as unknown as DTO[], count]
  }

  private async createItems(rows: z.output<typeof itemInput>[], context: SharedContext): Promise<InventoryItemDTO[]> {
    const ctx = this.stock(context)
    const items = await insertItems(ctx, rows)
    if (items.length) ctx.events.add(InventoryEvents.ITEM_CREATED, { ids: items.map((i) => i.id) })
    return items
  }

  private async createLevels(rows: z.output<typeof levelInput>[], context: SharedContext): Promise<InventoryLevelDTO[]> {
    const ctx = this.stock(context)
    const levels = await insertLevels(ctx, rows)
    if (levels.length) ctx.events.add(InventoryEvents.LEVEL_CREATED, { ids: levels.map((l) => l.id) })
    return levels
  }

  private async updateLevels(updates: z.output<typeof levelKeyedUpdate>[], context: SharedContext): Promise<InventoryLevelDTO[]> {
    const ctx = this.stock(context)
    const { levels, changed } = await updateLevels(ctx, updates)
    for (const id of changed) ctx.events.add(InventoryEvents.LEVEL_UPDATED, { id })
    return levels
  }

  private async reserve(rows: z.output<typeof reservationInput>[], context: SharedContext): Promise<ReservationItemDTO[]> {
    const ctx = this.stock(context)
    const reservations = await allocate(ctx, rows)
    if (reservations.length) ctx.events.add(InventoryEvents.RESERVATION_CREATED, { ids: reservations.map((r) => r.id) })
    return reservations
  }

  private async release(target: ReleaseTarget, payload: Record<string, unknown>, context: SharedContext): Promise<void> {
    const ctx = this.stock(context)
    await release(ctx, target)
    ctx.events.add(InventoryEvents.RESERVATION_DELETED, payload)
  }

  private async sum(quantity: LevelQuantity, inventoryItemId: unknown, locationIds: unknown, context: SharedContext): Promise<number> {
    const itemId = validate(idSchema, inventoryItemId, "inventoryItemId")
    const locations = toArray(validate(idOrIds, locationIds, "locationIds"))
    return await sumLevels(this.stock(context), quantity, itemId, locations)
  }
}
