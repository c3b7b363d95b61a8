/**
 * The argument shapes Medusa 1.20.11 builds from HTTP requests before it calls the inventory
 * module. They were read off `@medusajs/medusa@1.20.11/dist` and checked by running its own
 * `transformQuery` / `validator` middleware on the queries below (in
 * examples/medusa-backend/node_modules), so that a replay passes exactly what a route passes:
 *
 * - `req.filterableFields` is the validated query minus limit, offset, expand, fields and order,
 *   with undefined properties removed; values keep their query-string form (`"?location_id="`
 *   arrives as `""`, `weight[gt]=100` as the string `"100"`).
 * - `req.listConfig` (`isList: true`) is `{ select, relations, skip, take, order }`; `take` is
 *   the route's `limit` default (20), `order` defaults to `{ created_at: "DESC" }`; `select`
 *   is the route's default fields, or `undefined` when the route has none (orders).
 * - `req.retrieveConfig` (`isList: false`) is `{ select, relations }`.
 * - `req.validatedBody` is an instance of the route's class-validator class (not a plain
 *   object), holding only the properties the client sent.
 * - Comparison operators of the reservations list (`quantity[gt]=1`) arrive as instances of
 *   Medusa's operator classes, their values transformed (numbers, Dates).
 */

/** `defaultAdminInventoryItemFields` (api/routes/admin/inventory-items/index.js). */
export const INVENTORY_ITEM_FIELDS = [
  "id", "sku", "title", "description", "thumbnail", "origin_country", "hs_code", "requires_shipping",
  "mid_code", "material", "weight", "length", "height", "width", "metadata", "created_at", "updated_at",
]

/** `defaultAdminLocationLevelFields` (same file). */
export const LOCATION_LEVEL_FIELDS = [
  "id", "inventory_item_id", "location_id", "stocked_quantity", "reserved_quantity", "incoming_quantity",
  "metadata", "created_at", "updated_at",
]

/** `defaultReservationFields` (api/routes/admin/reservations/index.js). */
export const RESERVATION_FIELDS = [
  "id", "location_id", "inventory_item_id", "quantity", "line_item_id", "description", "metadata", "created_at", "updated_at",
]

export interface RouteQuery {
  /** The HTTP query as an admin client sends it (for the step's name). */
  http: string
  filterableFields: Record<string, unknown>
  listConfig: Record<string, unknown>
}

/** `req.listConfig` of GET /admin/inventory-items for a given `limit`, `offset`, `order` and `fields`. */
export function inventoryItemsListConfig(options: { skip?: number; take?: number; order?: Record<string, string>; select?: string[]; relations?: string[] } = {}): Record<string, unknown> {
  return {
    select: options.select ?? [...INVENTORY_ITEM_FIELDS],
    relations: options.relations ?? [],
    skip: options.skip ?? 0,
    take: options.take ?? 20,
    order: options.order ?? { created_at: "DESC" },
  }
}

/** `req.listConfig` of GET /admin/reservations. */
export function reservationsListConfig(options: { skip?: number; take?: number } = {}): Record<string, unknown> {
  return {
    select: [...RESERVATION_FIELDS],
    relations: [],
    skip: options.skip ?? 0,
    take: options.take ?? 20,
    order: { created_at: "DESC" },
  }
}

/** `req.listConfig` of GET /admin/orders/:id/reservations: no default fields, so `select` is there but undefined. */
export function orderReservationsListConfig(options: { skip?: number; take?: number } = {}): Record<string, unknown> {
  return { select: undefined, relations: [], skip: options.skip ?? 0, take: options.take ?? 20, order: { created_at: "DESC" } }
}

/** `req.retrieveConfig` of the inventory item routes (GET/POST /admin/inventory-items/:id...). */
export function inventoryItemRetrieveConfig(select: string[] = INVENTORY_ITEM_FIELDS): Record<string, unknown> {
  return { select: [...select], relations: [] }
}

/** `req.retrieveConfig` of GET /admin/inventory-items/:id/location-levels. */
export function locationLevelsRetrieveConfig(): Record<string, unknown> {
  return { select: [...LOCATION_LEVEL_FIELDS], relations: [] }
}

// Stand-ins for the class-validator classes whose instances Medusa passes as `req.validatedBody`
// and as comparison operators: what matters to the module is that they are class instances
// holding only the properties that were sent.
export class AdminPostInventoryItemsInventoryItemReq {}
export class AdminPostInventoryItemsItemLocationLevelsReq {}
export class AdminPostInventoryItemsItemLocationLevelsLevelReq {}
export class AdminPostReservationsReq {}
export class AdminPostReservationsReservationReq {}
export class AdminPostInventoryItemsReq {}
export class NumericalComparisonOperator {}
export class StringComparisonOperator {}
export class DateComparisonOperator {}

/** An instance of `cls` carrying exactly `fields` (what class-transformer's plainToInstance gives). */
export function instance<T extends object>(cls: new () => object, fields: T): T {
  return Object.assign(new cls(), fields) as T
}
