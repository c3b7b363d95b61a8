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
import { joinerConfig } from "../joiner-config"
import { InventoryItem, InventoryLevel, ReservationItem } from "../models"
import type { InventoryModuleOptions } from "../types"
import { eventsOf, InventoryContext, InventoryMethod } from "../utils/decorators"
import { insufficientInventory, invalidData, notFound } from "../utils/errors"
import { EventBusLike, InventoryEvents } from "../utils/events"
import { newIds } from "../utils/ids"
import { likePattern, ListConfig, ListSpec, runListQuery } from "../utils/list-query"
import {
  anyInt,
  bulkUpdateInventoryLevelSchema,
  createInventoryItemSchema,
  createInventoryLevelSchema,
  createReservationItemSchema,
  id as idSchema,
  idOrIds,
  locationFilter,
  nonNegativeInt,
  toArray,
  updateInventoryItemSchema,
  updateInventoryLevelSchema,
  updateReservationItemSchema,
  validate,
  validateArray,
  validateObject,
  z,
} from "../utils/validation"
import {
  APPLY_RESERVED_DELTAS,
  columnList,
  ITEM_COLUMNS,
  jsonParam,
  LEVEL_COLUMNS,
  queryRows,
  RESERVATION_COLUMNS,
} from "./sql"

type InjectedDependencies = {
  manager: EntityManager
  eventBusService?: EventBusLike
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

const ITEM_LIST: ListSpec<InventoryItem> = {
  entity: InventoryItem,
  label: "inventory items",
  alias: "inv_item",
  columns: {
    id: "id", created_at: "date", updated_at: "date", deleted_at: "date", sku: "text",
    origin_country: "text", hs_code: "text", mid_code: "text", material: "text", weight: "int",
    length: "int", height: "int", width: "int", requires_shipping: "bool", title: "text",
    description: "text", thumbnail: "text", metadata: "json",
  },
  relations: { inventory_levels: { target: "InventoryLevel" } },
  special: {
    q: (qb, value, param) => {
      if (value === null || value === "") return
      if (typeof value !== "string") throw invalidData(`Filter "q" must be a string`)
      // One expression over sku, title and description, served by one trigram index (see the
      // search-indexes migration); its separator is taken out of the text so no match spans fields.
      const p = param()
      qb.andWhere(`inventory_item_search_text(inv_item.sku, inv_item.title, inv_item.description) ILIKE :${p}`, {
        [p]: likePattern(value.split(String.fromCharCode(31)).join(""), "%", "%"),
      })
    },
    location_id: (qb, value, param) => {
      // An empty string is a value that matches nothing, as in the official module: Medusa
      // Admin's Inventory page asks for `?location_id=` before it has picked a location.
      const ids = toArray(validate(locationFilter, value, "selector.location_id")).filter((id) => id !== "")
      if (!ids.length) {
        qb.andWhere("FALSE")
        return
      }
      const p = param()
      qb.andWhere(
        `EXISTS (SELECT 1 FROM inventory_level lvl WHERE lvl.inventory_item_id = inv_item.id
           AND lvl.location_id = ANY(CAST(:${p} AS text[])) AND lvl.deleted_at IS NULL)`,
        { [p]: ids }
      )
    },
  },
}

const LEVEL_LIST: ListSpec<InventoryLevel> = {
  entity: InventoryLevel,
  label: "inventory levels",
  alias: "inv_level",
  columns: {
    id: "id", created_at: "date", updated_at: "date", deleted_at: "date", inventory_item_id: "id",
    location_id: "id", stocked_quantity: "int", reserved_quantity: "int", incoming_quantity: "int",
    metadata: "json",
  },
  relations: { inventory_item: { target: "InventoryItem" } },
}

const RESERVATION_LIST: ListSpec<ReservationItem> = {
  entity: ReservationItem,
  label: "reservation items",
  alias: "res_item",
  columns: {
    id: "id", created_at: "date", updated_at: "date", deleted_at: "date", line_item_id: "id",
    inventory_item_id: "id", location_id: "id", quantity: "int", external_id: "text",
    description: "text", created_by: "text", metadata: "json",
  },
  relations: { inventory_item: { target: "InventoryItem" } },
}

/** Casts for the columns an item update may set (used in parameterised SQL). */
const ITEM_UPDATE_CASTS: Record<string, string> = {
  sku: "text", origin_country: "text", hs_code: "text", mid_code: "text", material: "text",
  weight: "int", length: "int", height: "int", width: "int", requires_shipping: "boolean",
  title: "varchar", description: "varchar", thumbnail: "varchar", metadata: "jsonb",
}

interface LockedLevel {
  id: string
  inventory_item_id: string
  location_id: string
  stocked_quantity: number
  reserved_quantity: number
}

/**
 * Creates reservations and raises their levels' reserved quantity in one statement. It locks
 * the levels (in id order), checks that each exists and, with `strictReservations` ($10), that
 * it has the stock, and writes only if every check passes: otherwise it inserts nothing.
 */
const RESERVE_SQL = `
  WITH input AS (
    SELECT * FROM unnest($1::varchar[], $2::text[], $3::text[], $4::int[], $5::text[], $6::varchar[],
      $7::varchar[], $8::varchar[], $9::jsonb[])
      AS u(id, inventory_item_id, location_id, quantity, line_item_id, description, created_by, external_id, metadata)
  ),
  demand AS (
    SELECT inventory_item_id, location_id, sum(quantity)::int AS quantity FROM input GROUP BY 1, 2
  ),
  levels AS (
    SELECT l.id, l.stocked_quantity - l.reserved_quantity AS available, d.quantity AS wanted
      FROM inventory_level l
      JOIN demand d ON d.inventory_item_id = l.inventory_item_id AND d.location_id = l.location_id
     WHERE l.deleted_at IS NULL
     ORDER BY l.id
       FOR UPDATE OF l
  ),
  verdict AS (
    SELECT (SELECT count(*) FROM levels) = (SELECT count(*) FROM demand)
       AND (NOT $10::boolean OR NOT EXISTS (SELECT 1 FROM levels WHERE available < wanted)) AS ok
  ),
  adjusted AS (
    UPDATE inventory_level l
       SET reserved_quantity = l.reserved_quantity + lv.wanted, updated_at = now()
      FROM levels lv
     WHERE l.id = lv.id AND (SELECT ok FROM verdict)
    RETURNING l.id
  )
  INSERT INTO reservation_item (id, inventory_item_id, location_id, quantity, line_item_id,
    description, created_by, external_id, metadata)
  SELECT * FROM input WHERE (SELECT ok FROM verdict)
  RETURNING ${columnList(RESERVATION_COLUMNS)}`

/**
 * RESERVE_SQL for a single reservation: the level's increment is guarded in its own WHERE
 * (re-checked on the latest row version when another transaction changed it meanwhile), and
 * the reservation is inserted only if the level was incremented.
 */
const RESERVE_ONE_SQL = `
  WITH adjusted AS (
    UPDATE inventory_level
       SET reserved_quantity = reserved_quantity + $4::int, updated_at = now()
     WHERE inventory_item_id = $2::text AND location_id = $3::text AND deleted_at IS NULL
       AND (NOT $10::boolean OR stocked_quantity - reserved_quantity >= $4::int)
    RETURNING id
  )
  INSERT INTO reservation_item (id, inventory_item_id, location_id, quantity, line_item_id,
    description, created_by, external_id, metadata)
  SELECT $1::varchar, $2::text, $3::text, $4::int, $5::text, $6::varchar, $7::varchar, $8::varchar, $9::jsonb
    FROM adjusted
  RETURNING ${columnList(RESERVATION_COLUMNS)}`

/** The first element of an array parameter; anything else as it is. */
const first = (value: unknown) => (Array.isArray(value) ? value[0] : value)

/** Lists (and retrieves) are one statement unless `config.relations` joins more tables. */
const withoutRelations = (configIndex: number) => (args: unknown[]) => {
  const relations = (args[configIndex] as FindConfig<unknown> | undefined)?.relations
  return !Array.isArray(relations) || relations.length === 0
}

/** The quantities `sumLevels` adds up, and the names of their prepared statements. */
const SUM_NAMES: Record<string, string> = {
  "stocked_quantity - reserved_quantity": "available",
  stocked_quantity: "stocked",
  reserved_quantity: "reserved",
}

const levelKey = (itemId: string, locationId: string) => `${itemId}\u0000${locationId}`

/**
 * The inventory module's public facade: every method of `IInventoryService`, each one
 * transaction (joining `context.transactionManager` when the caller passes one). Stock and
 * reservation changes are single SQL statements or run under row locks taken in id order.
 */
export default class InventoryService implements IInventoryService {
  static Events = InventoryEvents

  protected readonly manager_: EntityManager
  readonly eventBusService_?: EventBusLike
  protected readonly options_: InventoryModuleOptions
  private readonly dataSource_?: DataSource

  constructor(
    dependencies: InjectedDependencies,
    options: InventoryModuleOptions = {},
    protected readonly moduleDeclaration?: InternalModuleDeclaration
  ) {
    this.manager_ = dependencies.manager
    this.eventBusService_ = optional(dependencies, "eventBusService")
    this.dataSource_ = optional(dependencies, "inventoryDataSource")
    this.options_ = options ?? {}
  }

  /** Lifecycle hooks called by `@medusajs/modules-sdk` (`MedusaModule.onApplicationShutdown()`). */
  readonly __hooks = {
    onApplicationShutdown: async (): Promise<void> => {
      if (this.dataSource_?.isInitialized) {
        await this.dataSource_.destroy()
      }
    },
  }

  __joinerConfig(): ModuleJoinerConfig {
    return joinerConfig
  }

  private get strict(): boolean {
    return this.options_.strictReservations === true
  }

  // ---------------------------------------------------------------- lists and retrieves

  @InventoryMethod({ singleStatement: withoutRelations(1) })
  @InjectEntityManager()
  async listInventoryItems(
    selector: FilterableInventoryItemProps = {},
    config: FindConfig<InventoryItemDTO> = DEFAULT_LIST_CONFIG,
    @MedusaContext() context: SharedContext = {}
  ): Promise<[InventoryItemDTO[], number]> {
    return await this.list(ITEM_LIST, selector, config, context)
  }

  @InventoryMethod({ singleStatement: withoutRelations(1) })
  @InjectEntityManager()
  async listInventoryLevels(
    selector: FilterableInventoryLevelProps = {},
    config: FindConfig<InventoryLevelDTO> = DEFAULT_LIST_CONFIG,
    @MedusaContext() context: SharedContext = {}
  ): Promise<[InventoryLevelDTO[], number]> {
    return await this.list(LEVEL_LIST, selector, config, context)
  }

  @InventoryMethod({ singleStatement: withoutRelations(1) })
  @InjectEntityManager()
  async listReservationItems(
    selector: FilterableReservationItemProps = {},
    config: FindConfig<ReservationItemDTO> = DEFAULT_LIST_CONFIG,
    @MedusaContext() context: SharedContext = {}
  ): Promise<[ReservationItemDTO[], number]> {
    return await this.list(RESERVATION_LIST, selector, config, context)
  }

  @InventoryMethod({ singleStatement: withoutRelations(1) })
  @InjectEntityManager()
  async retrieveInventoryItem(
    inventoryItemId: string,
    config?: FindConfig<InventoryItemDTO>,
    @MedusaContext() context: SharedContext = {}
  ): Promise<InventoryItemDTO> {
    const id = validate(idSchema, inventoryItemId, "inventoryItemId")
    const { skip: _skip, take: _take, ...rest } = (config == null ? {} : validateObject(config, "config")) as ListConfig
    const [[item]] = await this.list<InventoryItem, InventoryItemDTO>(ITEM_LIST, { id }, { ...rest, take: 1 }, context)
    if (!item) {
      throw notFound(`InventoryItem with id ${id} was not found`)
    }
    return item
  }

  @InventoryMethod({ singleStatement: true })
  @InjectEntityManager()
  async retrieveInventoryLevel(
    inventoryItemId: string,
    locationId: string,
    @MedusaContext() context: SharedContext = {}
  ): Promise<InventoryLevelDTO> {
    const itemId = validate(idSchema, inventoryItemId, "inventoryItemId")
    const location = validate(idSchema, locationId, "locationId")
    const [level] = await queryRows<InventoryLevelDTO>(
      this.managerOf(context),
      `SELECT ${columnList(LEVEL_COLUMNS)} FROM inventory_level
        WHERE inventory_item_id = $1 AND location_id = $2 AND deleted_at IS NULL LIMIT 1`,
      [itemId, location],
      "mit_retrieve_level"
    )
    if (!level) {
      throw notFound(`Inventory level for item ${itemId} and location ${location} not found`)
    }
    return level
  }

  @InventoryMethod({ singleStatement: true })
  @InjectEntityManager()
  async retrieveReservationItem(
    reservationId: string,
    @MedusaContext() context: SharedContext = {}
  ): Promise<ReservationItemDTO> {
    const id = validate(idSchema, reservationId, "reservationId")
    const [reservation] = await queryRows<ReservationItemDTO>(
      this.managerOf(context),
      `SELECT ${columnList(RESERVATION_COLUMNS)} FROM reservation_item WHERE id = $1 AND deleted_at IS NULL`,
      [id],
      "mit_retrieve_reservation"
    )
    if (!reservation) {
      throw notFound(`ReservationItem with id ${id} was not found`)
    }
    return reservation
  }

  // ---------------------------------------------------------------- inventory items

  @InventoryMethod({ singleStatement: true })
  @InjectEntityManager()
  async createInventoryItem(
    input: CreateInventoryItemInput,
    @MedusaContext() context: SharedContext = {}
  ): Promise<InventoryItemDTO> {
    const [item] = await this.insertItems([validate(createInventoryItemSchema, input, "input")], context)
    return item
  }

  @InventoryMethod({ singleStatement: true })
  @InjectEntityManager()
  async createInventoryItems(
    input: CreateInventoryItemInput[],
    @MedusaContext() context: SharedContext = {}
  ): Promise<InventoryItemDTO[]> {
    const rows = validate(z.array(createInventoryItemSchema), validateArray(input, "input"), "input")
    return await this.insertItems(rows, context)
  }

  @InventoryMethod({ singleStatement: true })
  @InjectEntityManager()
  async updateInventoryItem(
    inventoryItemId: string,
    input: Partial<CreateInventoryItemInput>,
    @MedusaContext() context: SharedContext = {}
  ): Promise<InventoryItemDTO> {
    const id = validate(idSchema, inventoryItemId, "inventoryItemId")
    const data = validate(updateInventoryItemSchema, validateObject(input, "input"), "input")
    const manager = this.managerOf(context)
    const fields = Object.entries(data).filter(([, value]) => value !== undefined)

    if (fields.length) {
      const params: unknown[] = [id]
      const assignments: string[] = []
      const changes: string[] = []
      for (const [column, value] of fields) {
        params.push(column === "metadata" ? jsonParam(value) : value)
        const placeholder = `$${params.length}::${ITEM_UPDATE_CASTS[column]}`
        assignments.push(`"${column}" = ${placeholder}`)
        changes.push(`"${column}" IS DISTINCT FROM ${placeholder}`)
      }
      const [updated] = await queryRows<InventoryItemDTO>(
        manager,
        `UPDATE inventory_item SET ${assignments.join(", ")}, updated_at = now()
          WHERE id = $1 AND deleted_at IS NULL AND (${changes.join(" OR ")})
          RETURNING ${columnList(ITEM_COLUMNS)}`,
        params
      )
      if (updated) {
        eventsOf(context).add(InventoryEvents.ITEM_UPDATED, { id })
        return updated
      }
    }
    // Nothing changed (or no such item): answer with the row as it is.
    const [item] = await queryRows<InventoryItemDTO>(
      manager,
      `SELECT ${columnList(ITEM_COLUMNS)} FROM inventory_item WHERE id = $1 AND deleted_at IS NULL`,
      [id]
    )
    if (!item) {
      throw notFound(`InventoryItem with id ${id} was not found`)
    }
    return item
  }

  @InventoryMethod()
  @InjectEntityManager()
  async deleteInventoryItem(
    inventoryItemId: string | string[],
    @MedusaContext() context: SharedContext = {}
  ): Promise<void> {
    const ids = toArray(validate(idOrIds, inventoryItemId, "inventoryItemId"))
    const manager = this.managerOf(context)
    // Lock the items first, in a statement of their own: a level being created for one of them
    // commits before the delete below takes its snapshot, so it is deleted too.
    await queryRows(
      manager,
      `SELECT id FROM inventory_item WHERE id = ANY($1::text[]) AND deleted_at IS NULL ORDER BY id FOR UPDATE`,
      [ids]
    )
    // Items and their levels in one statement, with one timestamp of their own: restore brings
    // back the levels stamped like their item. clock_timestamp(), not now(): a level deleted
    // earlier in the same transaction must not share it.
    await queryRows(
      manager,
      `WITH stamp AS (SELECT clock_timestamp() AS at),
       levels AS (
         UPDATE inventory_level SET deleted_at = (SELECT at FROM stamp)
          WHERE inventory_item_id = ANY($1::text[]) AND deleted_at IS NULL RETURNING id
       )
       UPDATE inventory_item SET deleted_at = (SELECT at FROM stamp)
        WHERE id = ANY($1::text[]) AND deleted_at IS NULL RETURNING id`,
      [ids]
    )
    eventsOf(context).add(InventoryEvents.LEVEL_DELETED, { inventory_item_id: inventoryItemId })
    eventsOf(context).add(InventoryEvents.ITEM_DELETED, { ids: inventoryItemId })
  }

  @InventoryMethod()
  @InjectEntityManager()
  async restoreInventoryItem(
    inventoryItemId: string | string[],
    @MedusaContext() context: SharedContext = {}
  ): Promise<void> {
    const ids = toArray(validate(idOrIds, inventoryItemId, "inventoryItemId"))
    const manager = this.managerOf(context)
    // Restores the levels that were deleted together with their item, not ones deleted before.
    const levels = await queryRows<{ id: string }>(
      manager,
      `WITH items AS (
         SELECT id, deleted_at FROM inventory_item
          WHERE id = ANY($1::text[]) AND deleted_at IS NOT NULL FOR UPDATE
       ),
       levels AS (
         UPDATE inventory_level l SET deleted_at = NULL, updated_at = now()
           FROM items i
          WHERE l.inventory_item_id = i.id AND l.deleted_at = i.deleted_at
         RETURNING l.id
       ),
       restored AS (
         UPDATE inventory_item SET deleted_at = NULL, updated_at = now()
          WHERE id IN (SELECT id FROM items) RETURNING id
       )
       SELECT id FROM levels`,
      [ids]
    )
    // Reservations deleted meanwhile could not release from a deleted level: recount (I2).
    await this.recountReserved(
      levels.map((l) => l.id),
      manager
    )
    eventsOf(context).add(InventoryEvents.LEVEL_RESTORED, { inventory_item_id: inventoryItemId })
    eventsOf(context).add(InventoryEvents.ITEM_RESTORED, { ids: inventoryItemId })
  }

  // ---------------------------------------------------------------- inventory levels

  @InventoryMethod()
  @InjectEntityManager()
  async createInventoryLevel(
    data: CreateInventoryLevelInput,
    @MedusaContext() context: SharedContext = {}
  ): Promise<InventoryLevelDTO> {
    const [level] = await this.insertLevels([validate(createInventoryLevelSchema, data, "data")], context)
    return level
  }

  @InventoryMethod()
  @InjectEntityManager()
  async createInventoryLevels(
    data: CreateInventoryLevelInput[],
    @MedusaContext() context: SharedContext = {}
  ): Promise<InventoryLevelDTO[]> {
    const rows = validate(z.array(createInventoryLevelSchema), validateArray(data, "data"), "data")
    return await this.insertLevels(rows, context)
  }

  @InventoryMethod({ singleStatement: true })
  @InjectEntityManager()
  async updateInventoryLevel(
    inventoryItemId: string,
    locationId: string,
    update: UpdateInventoryLevelInput,
    @MedusaContext() context: SharedContext = {}
  ): Promise<InventoryLevelDTO> {
    const itemId = validate(idSchema, inventoryItemId, "inventoryItemId")
    const location = validate(idSchema, locationId, "locationId")
    const data = validate(updateInventoryLevelSchema, validateObject(update, "update"), "update")
    const [level] = await this.applyLevelUpdates(
      [{ ...data, inventory_item_id: itemId, location_id: location }],
      context
    )
    return level
  }

  @InventoryMethod({ singleStatement: true })
  @InjectEntityManager()
  async updateInventoryLevels(
    updates: BulkUpdateInventoryLevelInput[],
    @MedusaContext() context: SharedContext = {}
  ): Promise<InventoryLevelDTO[]> {
    const rows = validate(z.array(bulkUpdateInventoryLevelSchema), validateArray(updates, "updates"), "updates")
    return await this.applyLevelUpdates(rows, context)
  }

  @InventoryMethod({ singleStatement: true })
  @InjectEntityManager()
  async deleteInventoryLevel(
    inventoryItemId: string,
    locationId: string,
    @MedusaContext() context: SharedContext = {}
  ): Promise<void> {
    const itemId = validate(idSchema, inventoryItemId, "inventoryItemId")
    const location = validate(idSchema, locationId, "locationId")
    const deleted = await queryRows<{ id: string }>(
      this.managerOf(context),
      `UPDATE inventory_level SET deleted_at = now()
        WHERE inventory_item_id = $1 AND location_id = $2 AND deleted_at IS NULL RETURNING id`,
      [itemId, location]
    )
    if (deleted.length) {
      eventsOf(context).add(InventoryEvents.LEVEL_DELETED, { ids: deleted[0].id })
    }
  }

  @InventoryMethod({ singleStatement: true })
  @InjectEntityManager()
  async deleteInventoryItemLevelByLocationId(
    locationId: string | string[],
    @MedusaContext() context: SharedContext = {}
  ): Promise<void> {
    const ids = toArray(validate(idOrIds, locationId, "locationId"))
    await queryRows(
      this.managerOf(context),
      `UPDATE inventory_level SET deleted_at = now()
        WHERE location_id = ANY($1::text[]) AND deleted_at IS NULL RETURNING id`,
      [ids]
    )
    eventsOf(context).add(InventoryEvents.LEVEL_DELETED, { location_ids: ids })
  }

  @InventoryMethod({ singleStatement: true })
  @InjectEntityManager()
  async adjustInventory(
    inventoryItemId: string,
    locationId: string,
    adjustment: number,
    @MedusaContext() context: SharedContext = {}
  ): Promise<InventoryLevelDTO> {
    const itemId = validate(idSchema, inventoryItemId, "inventoryItemId")
    const location = validate(idSchema, locationId, "locationId")
    const delta = validate(anyInt, adjustment, "adjustment")
    // One statement: concurrent adjustments add up exactly (no read-modify-write).
    const [level] = await queryRows<InventoryLevelDTO>(
      this.managerOf(context),
      `UPDATE inventory_level
          SET stocked_quantity = stocked_quantity + $3::int,
              updated_at = CASE WHEN $3::int = 0 THEN updated_at ELSE now() END
        WHERE inventory_item_id = $1 AND location_id = $2 AND deleted_at IS NULL
        RETURNING ${columnList(LEVEL_COLUMNS)}`,
      [itemId, location, delta],
      "mit_adjust"
    )
    if (!level) {
      throw notFound(`Inventory level for inventory item ${itemId} and location ${location} not found`)
    }
    if (delta !== 0) {
      eventsOf(context).add(InventoryEvents.LEVEL_UPDATED, { id: level.id })
    }
    return level
  }

  // ---------------------------------------------------------------- quantities

  @InventoryMethod({ singleStatement: true })
  @InjectEntityManager()
  async retrieveAvailableQuantity(
    inventoryItemId: string,
    locationIds: string[],
    @MedusaContext() context: SharedContext = {}
  ): Promise<number> {
    return await this.sumLevels("stocked_quantity - reserved_quantity", inventoryItemId, locationIds, context)
  }

  @InventoryMethod({ singleStatement: true })
  @InjectEntityManager()
  async retrieveStockedQuantity(
    inventoryItemId: string,
    locationIds: string[],
    @MedusaContext() context: SharedContext = {}
  ): Promise<number> {
    return await this.sumLevels("stocked_quantity", inventoryItemId, locationIds, context)
  }

  @InventoryMethod({ singleStatement: true })
  @InjectEntityManager()
  async retrieveReservedQuantity(
    inventoryItemId: string,
    locationIds: string[],
    @MedusaContext() context: SharedContext = {}
  ): Promise<number> {
    return await this.sumLevels("reserved_quantity", inventoryItemId, locationIds, context)
  }

  @InventoryMethod({ singleStatement: true })
  @InjectEntityManager()
  async confirmInventory(
    inventoryItemId: string,
    locationIds: string[],
    quantity: number,
    @MedusaContext() context: SharedContext = {}
  ): Promise<boolean> {
    const wanted = validate(nonNegativeInt, quantity, "quantity")
    const available = await this.sumLevels("stocked_quantity - reserved_quantity", inventoryItemId, locationIds, context)
    return available >= wanted
  }

  // ---------------------------------------------------------------- reservations

  @InventoryMethod({ singleStatement: true })
  @InjectEntityManager()
  async createReservationItem(
    input: CreateReservationItemInput,
    @MedusaContext() context: SharedContext = {}
  ): Promise<ReservationItemDTO> {
    const [reservation] = await this.reserve([validate(createReservationItemSchema, input, "input")], context)
    return reservation
  }

  @InventoryMethod({ singleStatement: true })
  @InjectEntityManager()
  async createReservationItems(
    input: CreateReservationItemInput[],
    @MedusaContext() context: SharedContext = {}
  ): Promise<ReservationItemDTO[]> {
    const rows = validate(z.array(createReservationItemSchema), validateArray(input, "input"), "input")
    return await this.reserve(rows, context)
  }

  @InventoryMethod()
  @InjectEntityManager()
  async updateReservationItem(
    reservationItemId: string,
    input: UpdateReservationItemInput,
    @MedusaContext() context: SharedContext = {}
  ): Promise<ReservationItemDTO> {
    const id = validate(idSchema, reservationItemId, "reservationItemId")
    const data = validate(updateReservationItemSchema, validateObject(input, "input"), "input")
    const manager = this.managerOf(context)

    // Lock the reservation first: concurrent updates of it run one after the other and each
    // sees the quantity and location the previous one left.
    const [current] = await queryRows<ReservationItemDTO>(
      manager,
      `SELECT ${columnList(RESERVATION_COLUMNS)} FROM reservation_item
        WHERE id = $1 AND deleted_at IS NULL FOR UPDATE`,
      [id]
    )
    if (!current) {
      throw notFound(`ReservationItem with id ${id} was not found`)
    }
    const quantity = data.quantity ?? current.quantity
    const locationId = data.location_id ?? current.location_id
    const moved = locationId !== current.location_id

    const deltas = new Map<string, number>()
    if (moved || quantity !== current.quantity) {
      const levels = await this.lockLevels(
        [
          { inventory_item_id: current.inventory_item_id, location_id: current.location_id },
          { inventory_item_id: current.inventory_item_id, location_id: locationId },
        ],
        manager
      )
      const from = levels.get(levelKey(current.inventory_item_id, current.location_id))
      const to = levels.get(levelKey(current.inventory_item_id, locationId))
      if (!to) {
        throw notFound(`Item ${current.inventory_item_id} is not stocked at location ${locationId}`)
      }
      if (from) {
        deltas.set(from.id, -current.quantity)
      }
      deltas.set(to.id, (deltas.get(to.id) ?? 0) + quantity)
      const increase = deltas.get(to.id) ?? 0
      if (this.strict && increase > 0 && to.stocked_quantity - to.reserved_quantity < increase) {
        throw insufficientInventory(
          `Not enough stock of item ${current.inventory_item_id} at location ${locationId}: ` +
            `${to.stocked_quantity - to.reserved_quantity} available, ${increase} more requested`
        )
      }
    }

    const sets = ["quantity = $2::int", "location_id = $3::text"]
    const params: unknown[] = [id, quantity, locationId, [...deltas.keys()], [...deltas.values()]]
    if (data.description !== undefined) {
      params.push(data.description)
      sets.push(`description = $${params.length}::varchar`)
    }
    if (data.metadata !== undefined) {
      params.push(jsonParam(data.metadata))
      sets.push(`metadata = $${params.length}::jsonb`)
    }
    const [updated] = await queryRows<ReservationItemDTO>(
      manager,
      `WITH deltas AS (SELECT * FROM unnest($4::text[], $5::int[]) AS d(level_id, delta)),
       ${APPLY_RESERVED_DELTAS}
       UPDATE reservation_item SET ${sets.join(", ")}, updated_at = now()
        WHERE id = $1
        RETURNING ${columnList(RESERVATION_COLUMNS)}`,
      params
    )
    eventsOf(context).add(InventoryEvents.RESERVATION_UPDATED, { id })
    return updated
  }

  @InventoryMethod()
  @InjectEntityManager()
  async deleteReservationItem(
    reservationItemId: string | string[],
    @MedusaContext() context: SharedContext = {}
  ): Promise<void> {
    const ids = toArray(validate(idOrIds, reservationItemId, "reservationItemId"))
    await this.release("id = ANY($1::text[])", [ids], context)
    eventsOf(context).add(InventoryEvents.RESERVATION_DELETED, { ids: reservationItemId })
  }

  @InventoryMethod()
  @InjectEntityManager()
  async deleteReservationItemsByLineItem(
    lineItemId: string | string[],
    @MedusaContext() context: SharedContext = {}
  ): Promise<void> {
    const ids = toArray(validate(idOrIds, lineItemId, "lineItemId"))
    await this.release("line_item_id = ANY($1::text[])", [ids], context)
    eventsOf(context).add(InventoryEvents.RESERVATION_DELETED, { line_item_id: lineItemId })
  }

  @InventoryMethod()
  @InjectEntityManager()
  async deleteReservationItemByLocationId(
    locationId: string | string[],
    @MedusaContext() context: SharedContext = {}
  ): Promise<void> {
    const ids = toArray(validate(idOrIds, locationId, "locationId"))
    await this.release("location_id = ANY($1::text[])", [ids], context)
    eventsOf(context).add(InventoryEvents.RESERVATION_DELETED, { location_id: locationId })
  }

  // ---------------------------------------------------------------- internals

  /** The transaction's manager, which `@InjectEntityManager` always provides. */
  protected managerOf(context: SharedContext): EntityManager {
    return (context.transactionManager as EntityManager | undefined) ?? this.manager_
  }

  private async list<E extends InventoryItem | InventoryLevel | ReservationItem, DTO>(
    spec: ListSpec<E>,
    selector: unknown,
    config: unknown,
    context: SharedContext
  ): Promise<[DTO[], number]> {
    // As in the official module, a missing selector is no filter (`listInventoryItems()`).
    const filters = selector === undefined ? {} : validateObject(selector, "selector")
    const options = config === undefined || config === null ? DEFAULT_LIST_CONFIG : validateObject(config, "config")
    const [rows, count] = await runListQuery(this.managerOf(context), spec, filters, options as ListConfig)
    return [rows as unknown as DTO[], count]
  }

  private async insertItems(
    rows: z.output<typeof createInventoryItemSchema>[],
    context: InventoryContext
  ): Promise<InventoryItemDTO[]> {
    if (!rows.length) return []
    const ids = newIds("iitem", rows.length)
    const column = <K extends keyof (typeof rows)[number]>(key: K) => rows.map((row) => row[key] ?? null)
    // One statement for any number of rows: each column travels as one array parameter.
    const inserted = await queryRows<InventoryItemDTO>(
      this.managerOf(context),
      `INSERT INTO inventory_item (id, sku, origin_country, hs_code, mid_code, material, weight, length,
         height, width, requires_shipping, title, description, thumbnail, metadata)
       SELECT * FROM unnest($1::varchar[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
         $7::int[], $8::int[], $9::int[], $10::int[], $11::boolean[], $12::varchar[], $13::varchar[],
         $14::varchar[], $15::jsonb[])
       RETURNING ${columnList(ITEM_COLUMNS)}`,
      [
        ids, column("sku"), column("origin_country"), column("hs_code"), column("mid_code"),
        column("material"), column("weight"), column("length"), column("height"), column("width"),
        rows.map((row) => row.requires_shipping ?? true), column("title"), column("description"),
        column("thumbnail"), rows.map((row) => jsonParam(row.metadata)),
      ],
      "mit_insert_items"
    )
    const result = inOrder(ids, inserted)
    eventsOf(context).add(InventoryEvents.ITEM_CREATED, { ids })
    return result
  }

  private async insertLevels(
    rows: z.output<typeof createInventoryLevelSchema>[],
    context: InventoryContext
  ): Promise<InventoryLevelDTO[]> {
    if (!rows.length) return []
    const manager = this.managerOf(context)
    const ids = newIds("ilev", rows.length)
    // Inserts nothing unless every item exists. The items are share-locked, so an item delete
    // running at the same time either waits for these levels (and deletes them) or wins first
    // (and these are refused).
    const inserted = await queryRows<InventoryLevelDTO>(
      manager,
      `WITH input AS (
         SELECT * FROM unnest($1::varchar[], $2::text[], $3::text[], $4::int[], $5::int[], $6::int[], $7::jsonb[])
           AS u(id, inventory_item_id, location_id, stocked_quantity, reserved_quantity, incoming_quantity, metadata)
       ),
       items AS (
         SELECT it.id FROM inventory_item it
          WHERE it.id IN (SELECT inventory_item_id FROM input) AND it.deleted_at IS NULL
          ORDER BY it.id
            FOR KEY SHARE
       )
       INSERT INTO inventory_level (id, inventory_item_id, location_id, stocked_quantity, reserved_quantity,
         incoming_quantity, metadata)
       SELECT id, inventory_item_id, location_id, stocked_quantity, COALESCE(reserved_quantity, 0),
              incoming_quantity, metadata
         FROM input
        WHERE (SELECT count(*) FROM items) = (SELECT count(DISTINCT inventory_item_id) FROM input)
       RETURNING ${columnList(LEVEL_COLUMNS)}`,
      [
        ids,
        rows.map((r) => r.inventory_item_id),
        rows.map((r) => r.location_id),
        rows.map((r) => r.stocked_quantity ?? 0),
        rows.map((r) => r.reserved_quantity ?? null),
        rows.map((r) => r.incoming_quantity ?? 0),
        rows.map((r) => jsonParam(r.metadata)),
      ]
    )
    if (inserted.length !== rows.length) {
      const missing = await queryRows<{ id: string }>(
        manager,
        `SELECT DISTINCT u.id FROM unnest($1::text[]) AS u(id)
          WHERE NOT EXISTS (SELECT 1 FROM inventory_item it WHERE it.id = u.id AND it.deleted_at IS NULL)`,
        [rows.map((r) => r.inventory_item_id)]
      )
      // One clause per failing input, in input order, repeats kept.
      const absent = new Set(missing.map((m) => m.id))
      throw notFound(
        rows
          .filter((r) => absent.has(r.inventory_item_id))
          .map((r) => `InventoryItem with id ${r.inventory_item_id} was not found`)
          .join(", ")
      )
    }
    // Reservations outlive a deleted level: a level made again starts with them (I2). The
    // count needs a snapshot taken after the insert: a reservation made on the level this one
    // replaces may have committed while the insert waited for that level's delete.
    const recount = ids.filter((_, i) => rows[i].reserved_quantity === undefined)
    const recounted = await this.recountReserved(recount, manager)
    eventsOf(context).add(InventoryEvents.LEVEL_CREATED, { ids })
    return inOrder(ids, inserted).map((level) =>
      recounted.has(level.id) ? { ...level, reserved_quantity: recounted.get(level.id)! } : level
    )
  }

  /**
   * Sets reserved_quantity of the given (new or restored, so row-locked) levels to the sum of
   * their live reservations, writing only the levels where it differs; returns those. A statement of its own, after the levels were written, and with
   * the reservations share-locked: a reservation being deleted right now is either counted
   * here and released from the level by its delete (which then sees the level), or waited for
   * and not counted.
   */
  private async recountReserved(levelIds: string[], manager: EntityManager): Promise<Map<string, number>> {
    if (!levelIds.length) return new Map()
    const rows = await queryRows<{ id: string; reserved_quantity: number }>(
      manager,
      `WITH lv AS (
         SELECT id, inventory_item_id, location_id FROM inventory_level WHERE id = ANY($1::text[])
       ),
       live AS (
         SELECT r.inventory_item_id, r.location_id, r.quantity
           FROM reservation_item r
           JOIN lv ON lv.inventory_item_id = r.inventory_item_id AND lv.location_id = r.location_id
          WHERE r.deleted_at IS NULL
            FOR SHARE OF r
       ),
       sums AS (
         SELECT inventory_item_id, location_id, sum(quantity)::int AS quantity FROM live GROUP BY 1, 2
       )
       UPDATE inventory_level l SET reserved_quantity = COALESCE(s.quantity, 0)
         FROM lv LEFT JOIN sums s ON s.inventory_item_id = lv.inventory_item_id AND s.location_id = lv.location_id
        WHERE l.id = lv.id AND l.reserved_quantity IS DISTINCT FROM COALESCE(s.quantity, 0)
       RETURNING l.id, l.reserved_quantity`,
      [levelIds]
    )
    return new Map(rows.map((row) => [row.id, row.reserved_quantity]))
  }

  /**
   * Applies level updates in one statement. Repeated (item, location) pairs are merged in
   * order, later fields winning. Nothing is written unless every level exists.
   */
  private async applyLevelUpdates(
    updates: z.output<typeof bulkUpdateInventoryLevelSchema>[],
    context: InventoryContext
  ): Promise<InventoryLevelDTO[]> {
    if (!updates.length) return []
    const manager = this.managerOf(context)
    const merged = new Map<string, (typeof updates)[number]>()
    for (const update of updates) {
      const key = levelKey(update.inventory_item_id, update.location_id)
      const previous = merged.get(key)
      merged.set(key, { ...previous, ...stripUndefined(update) } as (typeof updates)[number])
    }
    const list = [...merged.values()]
    const rows = await queryRows<InventoryLevelDTO & { changed: boolean }>(
      manager,
      `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::int[], $6::boolean[], $7::jsonb[])
           AS u(inventory_item_id, location_id, stocked_quantity, incoming_quantity, reserved_quantity, set_metadata, metadata)
       ),
       current AS (
         SELECT l.*, i.stocked_quantity AS new_stocked, i.incoming_quantity AS new_incoming,
                i.reserved_quantity AS new_reserved, i.set_metadata, i.metadata AS new_metadata
           FROM inventory_level l
           JOIN input i ON l.inventory_item_id = i.inventory_item_id AND l.location_id = i.location_id
          WHERE l.deleted_at IS NULL
            AND (SELECT count(*) FROM input) = (
              SELECT count(*) FROM inventory_level x JOIN input y
                ON x.inventory_item_id = y.inventory_item_id AND x.location_id = y.location_id
               WHERE x.deleted_at IS NULL)
          ORDER BY l.id
          FOR UPDATE OF l
       ),
       changes AS (
         SELECT id,
                COALESCE(new_stocked, stocked_quantity) AS stocked_quantity,
                COALESCE(new_incoming, incoming_quantity) AS incoming_quantity,
                COALESCE(new_reserved, reserved_quantity) AS reserved_quantity,
                CASE WHEN set_metadata THEN new_metadata ELSE metadata END AS metadata,
                (COALESCE(new_stocked, stocked_quantity) <> stocked_quantity
                  OR COALESCE(new_incoming, incoming_quantity) <> incoming_quantity
                  OR COALESCE(new_reserved, reserved_quantity) <> reserved_quantity
                  OR (set_metadata AND new_metadata IS DISTINCT FROM metadata)) AS changed
           FROM current
       )
       UPDATE inventory_level l
          SET stocked_quantity = c.stocked_quantity, incoming_quantity = c.incoming_quantity,
              reserved_quantity = c.reserved_quantity, metadata = c.metadata,
              updated_at = CASE WHEN c.changed THEN now() ELSE l.updated_at END
         FROM changes c
        WHERE l.id = c.id
       RETURNING ${columnList(LEVEL_COLUMNS, "l")}, c.changed`,
      [
        list.map((u) => u.inventory_item_id),
        list.map((u) => u.location_id),
        list.map((u) => u.stocked_quantity ?? null),
        list.map((u) => u.incoming_quantity ?? null),
        list.map((u) => u.reserved_quantity ?? null),
        list.map((u) => u.metadata !== undefined),
        list.map((u) => jsonParam(u.metadata)),
      ],
      "mit_update_levels"
    )
    if (rows.length !== list.length) {
      // The statement wrote nothing; name only the pairs that have no live level.
      const existing = await this.lockLevels(list, manager)
      // One clause per failing update as given (before merging), in input order.
      const missing = updates.filter((u) => !existing.has(levelKey(u.inventory_item_id, u.location_id)))
      throw notFound(
        missing.map((u) => `Item ${u.inventory_item_id} is not stocked at location ${u.location_id}`).join(", ")
      )
    }
    const byKey = new Map(rows.map((row) => [levelKey(row.inventory_item_id, row.location_id), row]))
    for (const row of rows) {
      if (row.changed) eventsOf(context).add(InventoryEvents.LEVEL_UPDATED, { id: row.id })
    }
    return updates.map((u) => {
      const { changed: _changed, ...level } = byKey.get(levelKey(u.inventory_item_id, u.location_id))!
      return level
    })
  }

  /** Locks the live levels of the given (item, location) pairs, in id order. */
  private async lockLevels(
    pairs: { inventory_item_id: string; location_id: string }[],
    manager: EntityManager
  ): Promise<Map<string, LockedLevel>> {
    const rows = await queryRows<LockedLevel>(
      manager,
      `SELECT l.id, l.inventory_item_id, l.location_id, l.stocked_quantity, l.reserved_quantity
         FROM inventory_level l
        WHERE (l.inventory_item_id, l.location_id) IN (
                SELECT * FROM unnest($1::text[], $2::text[]))
          AND l.deleted_at IS NULL
        ORDER BY l.id
        FOR UPDATE OF l`,
      [pairs.map((p) => p.inventory_item_id), pairs.map((p) => p.location_id)]
    )
    return new Map(rows.map((row) => [levelKey(row.inventory_item_id, row.location_id), row]))
  }

  /**
   * Creates reservations and raises the reserved quantity of their levels in one statement:
   * it locks the levels (in id order), checks that each exists and, with
   * `strictReservations`, that it has the stock; it writes only if every check passes, and
   * otherwise reports the levels it saw so that the error can name the culprit.
   */
  private async reserve(
    rows: z.output<typeof createReservationItemSchema>[],
    context: InventoryContext
  ): Promise<ReservationItemDTO[]> {
    if (!rows.length) return []
    const manager = this.managerOf(context)
    const ids = newIds("resitem", rows.length)
    const parameters = [
      ids,
      rows.map((r) => r.inventory_item_id),
      rows.map((r) => r.location_id),
      rows.map((r) => r.quantity),
      rows.map((r) => r.line_item_id ?? null),
      rows.map((r) => r.description ?? null),
      rows.map((r) => r.created_by ?? null),
      rows.map((r) => r.external_id ?? null),
      rows.map((r) => jsonParam(r.metadata)),
      this.strict,
    ]
    // One reservation (a checkout's usual case) needs no grouping: a guarded increment.
    const inserted =
      rows.length === 1
        ? await queryRows<ReservationItemDTO>(manager, RESERVE_ONE_SQL, parameters.map(first), "mit_reserve_one")
        : await queryRows<ReservationItemDTO>(manager, RESERVE_SQL, parameters, "mit_reserve")
    if (inserted.length === rows.length) {
      eventsOf(context).add(InventoryEvents.RESERVATION_CREATED, { ids })
      return inOrder(ids, inserted)
    }
    // Refused: nothing was written. Read the levels to say why (a missing level or stock).
    const levels = await queryRows<LockedLevel & { wanted: number }>(
      manager,
      `WITH demand AS (
         SELECT inventory_item_id, location_id, sum(quantity)::int AS wanted
           FROM unnest($1::text[], $2::text[], $3::int[]) AS u(inventory_item_id, location_id, quantity) GROUP BY 1, 2)
       SELECT l.id, l.inventory_item_id, l.location_id, l.stocked_quantity, l.reserved_quantity, d.wanted
         FROM inventory_level l JOIN demand d USING (inventory_item_id, location_id)
        WHERE l.deleted_at IS NULL`,
      [parameters[1], parameters[2], parameters[3]]
    )
    throw this.reservationRefusal(rows, levels)
  }

  /** The error for a refused reservation: missing levels first, then missing stock. */
  private reservationRefusal(
    rows: z.output<typeof createReservationItemSchema>[],
    levels: (LockedLevel & { wanted?: number })[]
  ): Error {
    const seen = new Map(levels.map((l) => [levelKey(l.inventory_item_id, l.location_id), l]))
    const missing = rows.filter((r) => !seen.has(levelKey(r.inventory_item_id, r.location_id)))
    if (missing.length) {
      // One clause per failing input, in input order, repeats kept: the official wording,
      // which Medusa's own tests assert.
      return notFound(missing.map((r) => `Item ${r.inventory_item_id} is not stocked at location ${r.location_id}`).join(", "))
    }
    // Stock is decided per level (the sum of its inputs): one clause per short level, in the
    // order its first input came.
    const firstInput = new Map<string, number>()
    rows.forEach((r, i) => firstInput.set(levelKey(r.inventory_item_id, r.location_id), firstInput.get(levelKey(r.inventory_item_id, r.location_id)) ?? i))
    const position = (l: LockedLevel) => firstInput.get(levelKey(l.inventory_item_id, l.location_id)) ?? 0
    const short = levels
      .filter((l) => l.stocked_quantity - l.reserved_quantity < (l.wanted ?? 0))
      .sort((a, b) => position(a) - position(b))
    return insufficientInventory(
      short
        .map(
          (l) =>
            `Not enough stock of item ${l.inventory_item_id} at location ${l.location_id}: ` +
            `${Math.max(l.stocked_quantity - l.reserved_quantity, 0)} available, ${l.wanted} requested`
        )
        .join(", ")
    )
  }

  /**
   * Soft-deletes the live reservations matching `condition` and releases their quantities
   * from their live levels. A reservation deleted by two calls at once is released once: the
   * second waits on its row lock and then finds it deleted. The release is a statement of its
   * own, so it sees a level that was (re-)created, and counted the reservation, meanwhile.
   */
  private async release(condition: string, params: unknown[], context: InventoryContext): Promise<void> {
    const manager = this.managerOf(context)
    const removed = await queryRows<{ inventory_item_id: string; location_id: string; quantity: number }>(
      manager,
      `WITH doomed AS (
         SELECT id FROM reservation_item WHERE ${condition} AND deleted_at IS NULL
          ORDER BY id FOR UPDATE
       )
       UPDATE reservation_item SET deleted_at = now()
        WHERE id IN (SELECT id FROM doomed) AND deleted_at IS NULL
       RETURNING inventory_item_id, location_id, quantity`,
      params
    )
    if (!removed.length) return
    const totals = new Map<string, { item: string; location: string; quantity: number }>()
    for (const r of removed) {
      const key = levelKey(r.inventory_item_id, r.location_id)
      const total = totals.get(key) ?? { item: r.inventory_item_id, location: r.location_id, quantity: 0 }
      total.quantity += r.quantity
      totals.set(key, total)
    }
    const list = [...totals.values()]
    await queryRows(
      manager,
      `WITH deltas AS (
         SELECT l.id AS level_id, -u.quantity AS delta
           FROM unnest($1::text[], $2::text[], $3::int[]) AS u(item, location, quantity)
           JOIN inventory_level l ON l.inventory_item_id = u.item AND l.location_id = u.location
          WHERE l.deleted_at IS NULL
       ),
       ${APPLY_RESERVED_DELTAS}
       SELECT count(*) AS adjusted FROM adjusted`,
      [list.map((t) => t.item), list.map((t) => t.location), list.map((t) => t.quantity)]
    )
  }

  private async sumLevels(
    expression: string,
    inventoryItemId: unknown,
    locationIds: unknown,
    context: SharedContext
  ): Promise<number> {
    const itemId = validate(idSchema, inventoryItemId, "inventoryItemId")
    const locations = toArray(validate(idOrIds, locationIds, "locationIds"))
    const [row] = await queryRows<{ found: boolean; quantity: string }>(
      this.managerOf(context),
      `SELECT EXISTS (SELECT 1 FROM inventory_item WHERE id = $1 AND deleted_at IS NULL) AS found,
              (SELECT COALESCE(sum(${expression}), 0) FROM inventory_level
                WHERE inventory_item_id = $1 AND location_id = ANY($2::text[]) AND deleted_at IS NULL) AS quantity`,
      [itemId, locations],
      `mit_sum_${SUM_NAMES[expression]}`
    )
    if (!row.found) {
      throw notFound(`InventoryItem with id ${itemId} was not found`)
    }
    return Number(row.quantity)
  }
}

function inOrder<T extends { id: string }>(ids: string[], rows: T[]): T[] {
  const byId = new Map(rows.map((row) => [row.id, row]))
  return ids.map((id) => byId.get(id)!)
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}
