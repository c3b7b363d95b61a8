/**
 * Compatibility with Medusa 1.20.11's core: every call `@medusajs/medusa@1.20.11` makes to the
 * inventory module, replayed with the argument shapes Medusa uses against `@medusajs/inventory@1.11.7`
 * and against this module, on two fresh databases seeded by the same calls. Each step's answer
 * (value or error type and message), and the events it sent, must be the same, ids aside; the
 * differences the README lists as deliberate are in ALLOWED below, where our behaviour is asserted
 * instead.
 *
 * Replayed call sites: 48 (46 in @medusajs/medusa@1.20.11/dist, 2 in @medusajs/core-flows@0.0.10
 * reached from a Medusa route). `ctx` is `{ transactionManager }`; "tx" means the call runs inside a
 * transaction Medusa opened; "manager" means Medusa's manager outside a transaction.
 *
 * services/product-variant-inventory.js (ProductVariantInventoryService)
 *   #1  confirmInventory ............................. confirmInventory(itemId, locationIds[], qty)             no ctx
 *   #2  listInventoryItemsByVariant .................. listInventoryItems({ id: [] })                            no config, no ctx
 *   #3  attachInventoryItem .......................... listInventoryItems({ id: [] }, { select: ["id"] }, ctx)
 *   #4  reserveQuantity .............................. listInventoryLevels({ location_id: [], inventory_item_id }, undefined, ctx)
 *   #5  reserveQuantity .............................. createReservationItems([{ line_item_id?, location_id, inventory_item_id, quantity }], ctx)
 *   #6  adjustReservationsQuantityByLineItem ......... listReservationItems({ line_item_id }, { order: { created_at: "DESC" } }, ctx)
 *   #7  adjustReservationsQuantityByLineItem ......... deleteReservationItem(id, ctx)
 *   #8  adjustReservationsQuantityByLineItem ......... deleteReservationItem(ids[], ctx)
 *   #9  adjustReservationsQuantityByLineItem ......... updateReservationItem(id, { quantity }, ctx)
 *   #10 validateInventoryAtLocation .................. listInventoryLevels({ inventory_item_id: [], location_id }, undefined, ctx)
 *   #11 deleteReservationsByLineItem ................. deleteReservationItemsByLineItem(lineItemIds[], ctx)
 *   #12 adjustInventory .............................. adjustInventory(itemId, locationId, qty, ctx)
 *   #13 getAvailabilityContext (set*Availability) .... listInventoryLevels({ location_id: [], inventory_item_id: [] }, {}, ctx)
 * services/sales-channel-inventory.js (SalesChannelInventoryService)
 *   #14 retrieveAvailableItemQuantity ................ retrieveAvailableQuantity(itemId, locationIds[])          no ctx
 * services/order-edit.js (OrderEditService)
 *   #15 confirm ...................................... deleteReservationItemsByLineItem(lineItemIds[], ctx tx)
 * strategies/cart-completion.js (CartCompletionStrategy)
 *   #16 removeReservations ........................... deleteReservationItem(id)                                 no ctx
 * api/routes/admin/reservations/
 *   #17 list-reservations.js ......................... listReservationItems(filterableFields, listConfig, ctx manager)
 *   #18 get-reservation.js ........................... listReservationItems({ id })                               no config
 *   #19 delete-reservation.js ........................ deleteReservationItem(id)
 *   #20 update-reservation.js ........................ retrieveReservationItem(id)
 *   #21 update-reservation.js ........................ updateReservationItem(id, validatedBody)
 *   #22 create-reservation.js ........................ createReservationItem({ ...validatedBody, created_by })
 *   #23 utils/join-inventory-items.js joinInventoryItems  listInventoryItems({ id: [] }, {}, ctx manager)
 *   #24 utils/validate-reservation-quantity.js ....... listReservationItems({ line_item_id })                      no config
 * api/routes/admin/orders/
 *   #25 get-reservations.js .......................... listReservationItems({ line_item_id: [] }, listConfig)
 * api/routes/admin/inventory-items/
 *   #26 list-inventory-items.js ...................... listInventoryItems(filterableFields, listConfig)
 *   #27 get-inventory-item.js ........................ retrieveInventoryItem(id, retrieveConfig)
 *   #28 update-inventory-item.js ..................... updateInventoryItem(id, validatedBody)
 *   #29 update-inventory-item.js ..................... retrieveInventoryItem(id, retrieveConfig)
 *   #30 create-location-level.js ..................... createInventoryLevel({ inventory_item_id, location_id, stocked_quantity, incoming_quantity })
 *   #31 create-location-level.js ..................... retrieveInventoryItem(id, retrieveConfig)
 *   #32 update-location-level.js ..................... updateInventoryLevel(id, location_id, validatedBody)
 *   #33 update-location-level.js ..................... retrieveInventoryItem(id, retrieveConfig)
 *   #34 delete-location-level.js ..................... retrieveReservedQuantity(id, [location_id])
 *   #35 delete-location-level.js ..................... deleteInventoryLevel(id, location_id)
 *   #36 delete-location-level.js ..................... retrieveInventoryItem(id, retrieveConfig)
 *   #37 delete-inventory-item.js ..................... deleteInventoryItem(id)                                   no ctx (inside Medusa's tx)
 *   #38 list-location-levels.js ...................... listInventoryLevels({ ...filterableFields, inventory_item_id }, retrieveConfig)
 *   #39 utils/join-levels.js getLevelsByInventoryItemId  listInventoryLevels({ inventory_item_id: [], location_id?: [] }, {})
 *   #40 utils/join-levels.js getLevelsByInventoryItemId  retrieveAvailableQuantity(itemId, [locationId])
 * api/routes/admin/stock-locations/delete-stock-location.js (both at once, promiseAll, no ctx)
 *   #41 default ...................................... deleteInventoryItemLevelByLocationId(id)
 *   #42 default ...................................... deleteReservationItemByLocationId(id)
 * api/routes/admin/products/transaction/create-product-variant.js (createVariantsTransaction)
 *   #43 createInventoryItems ......................... createInventoryItem({ sku, origin_country, hs_code, mid_code, material, weight, length, height, width }, ctx tx)
 *   #44 removeInventoryItems ......................... deleteInventoryItem(id, ctx tx)
 * scripts/migrate-inventory-items.js
 *   #45 migrateProductVariant ........................ createInventoryItem({ ..., requires_shipping: true }, ctx tx)
 *   #46 migrateProductVariant ........................ createInventoryLevel({ location_id, inventory_item_id, stocked_quantity, incoming_quantity: 0 }, ctx tx)
 * @medusajs/core-flows@0.0.10, run by api/routes/admin/inventory-items/create-inventory-item.js (createInventoryItems workflow)
 *   #47 handlers/inventory/create-inventory-items.js . createInventoryItem({ sku, ..., width })                  no ctx
 *   #48 handlers/inventory/remove-inventory-items.js . deleteInventoryItem(ids[])                                no ctx (compensation)
 *
 * The ProductVariantInventoryService methods (#1-#13) are reached from cart completion, swaps,
 * claims, draft orders, fulfillments, returns, order cancel, admin reservations for a line item
 * and every product/variant/cart route that shows availability; the replays below follow those
 * callers' argument shapes (sales channel locations or an explicit location, line item or none).
 *
 * The README "Behaviour" bullets that make a difference deliberate are quoted in ALLOWED.
 */
import fs from "fs"
import path from "path"
import type { EntityManager } from "typeorm"
import {
  Allowance,
  compareReplays,
  Flow,
  listRows,
  Module,
  ModulePair,
  Replay,
  runFlow,
  setupModulePair,
  Step,
} from "./harness"
import {
  AdminPostInventoryItemsInventoryItemReq,
  AdminPostInventoryItemsItemLocationLevelsLevelReq,
  AdminPostInventoryItemsItemLocationLevelsReq,
  AdminPostInventoryItemsReq,
  AdminPostReservationsReq,
  AdminPostReservationsReservationReq,
  DateComparisonOperator,
  instance,
  inventoryItemRetrieveConfig,
  inventoryItemsListConfig,
  locationLevelsRetrieveConfig,
  NumericalComparisonOperator,
  orderReservationsListConfig,
  reservationsListConfig,
  StringComparisonOperator,
} from "./medusa-shapes"

// ------------------------------------------------------------------ call sites

interface CallSite {
  file: string
  fn: string
  method: string
}

const MEDUSA = "@medusajs/medusa/dist/"
const PVIS = `${MEDUSA}services/product-variant-inventory.js`
const ITEMS = `${MEDUSA}api/routes/admin/inventory-items/`
const RESERVATIONS = `${MEDUSA}api/routes/admin/reservations/`

const SITES: Record<number, CallSite> = {
  1: { file: PVIS, fn: "confirmInventory", method: "confirmInventory" },
  2: { file: PVIS, fn: "listInventoryItemsByVariant", method: "listInventoryItems" },
  3: { file: PVIS, fn: "attachInventoryItem", method: "listInventoryItems" },
  4: { file: PVIS, fn: "reserveQuantity", method: "listInventoryLevels" },
  5: { file: PVIS, fn: "reserveQuantity", method: "createReservationItems" },
  6: { file: PVIS, fn: "adjustReservationsQuantityByLineItem", method: "listReservationItems" },
  7: { file: PVIS, fn: "adjustReservationsQuantityByLineItem", method: "deleteReservationItem" },
  8: { file: PVIS, fn: "adjustReservationsQuantityByLineItem", method: "deleteReservationItem" },
  9: { file: PVIS, fn: "adjustReservationsQuantityByLineItem", method: "updateReservationItem" },
  10: { file: PVIS, fn: "validateInventoryAtLocation", method: "listInventoryLevels" },
  11: { file: PVIS, fn: "deleteReservationsByLineItem", method: "deleteReservationItemsByLineItem" },
  12: { file: PVIS, fn: "adjustInventory", method: "adjustInventory" },
  13: { file: PVIS, fn: "getAvailabilityContext", method: "listInventoryLevels" },
  14: { file: `${MEDUSA}services/sales-channel-inventory.js`, fn: "retrieveAvailableItemQuantity", method: "retrieveAvailableQuantity" },
  15: { file: `${MEDUSA}services/order-edit.js`, fn: "confirm", method: "deleteReservationItemsByLineItem" },
  16: { file: `${MEDUSA}strategies/cart-completion.js`, fn: "removeReservations", method: "deleteReservationItem" },
  17: { file: `${RESERVATIONS}list-reservations.js`, fn: "default", method: "listReservationItems" },
  18: { file: `${RESERVATIONS}get-reservation.js`, fn: "default", method: "listReservationItems" },
  19: { file: `${RESERVATIONS}delete-reservation.js`, fn: "default", method: "deleteReservationItem" },
  20: { file: `${RESERVATIONS}update-reservation.js`, fn: "default", method: "retrieveReservationItem" },
  21: { file: `${RESERVATIONS}update-reservation.js`, fn: "default", method: "updateReservationItem" },
  22: { file: `${RESERVATIONS}create-reservation.js`, fn: "default", method: "createReservationItem" },
  23: { file: `${RESERVATIONS}utils/join-inventory-items.js`, fn: "joinInventoryItems", method: "listInventoryItems" },
  24: { file: `${RESERVATIONS}utils/validate-reservation-quantity.js`, fn: "validateUpdateReservationQuantity", method: "listReservationItems" },
  25: { file: `${MEDUSA}api/routes/admin/orders/get-reservations.js`, fn: "default", method: "listReservationItems" },
  26: { file: `${ITEMS}list-inventory-items.js`, fn: "default", method: "listInventoryItems" },
  27: { file: `${ITEMS}get-inventory-item.js`, fn: "default", method: "retrieveInventoryItem" },
  28: { file: `${ITEMS}update-inventory-item.js`, fn: "default", method: "updateInventoryItem" },
  29: { file: `${ITEMS}update-inventory-item.js`, fn: "default", method: "retrieveInventoryItem" },
  30: { file: `${ITEMS}create-location-level.js`, fn: "default", method: "createInventoryLevel" },
  31: { file: `${ITEMS}create-location-level.js`, fn: "default", method: "retrieveInventoryItem" },
  32: { file: `${ITEMS}update-location-level.js`, fn: "default", method: "updateInventoryLevel" },
  33: { file: `${ITEMS}update-location-level.js`, fn: "default", method: "retrieveInventoryItem" },
  34: { file: `${ITEMS}delete-location-level.js`, fn: "default", method: "retrieveReservedQuantity" },
  35: { file: `${ITEMS}delete-location-level.js`, fn: "default", method: "deleteInventoryLevel" },
  36: { file: `${ITEMS}delete-location-level.js`, fn: "default", method: "retrieveInventoryItem" },
  37: { file: `${ITEMS}delete-inventory-item.js`, fn: "default", method: "deleteInventoryItem" },
  38: { file: `${ITEMS}list-location-levels.js`, fn: "default", method: "listInventoryLevels" },
  39: { file: `${ITEMS}utils/join-levels.js`, fn: "getLevelsByInventoryItemId", method: "listInventoryLevels" },
  40: { file: `${ITEMS}utils/join-levels.js`, fn: "getLevelsByInventoryItemId", method: "retrieveAvailableQuantity" },
  41: { file: `${MEDUSA}api/routes/admin/stock-locations/delete-stock-location.js`, fn: "default", method: "deleteInventoryItemLevelByLocationId" },
  42: { file: `${MEDUSA}api/routes/admin/stock-locations/delete-stock-location.js`, fn: "default", method: "deleteReservationItemByLocationId" },
  43: { file: `${MEDUSA}api/routes/admin/products/transaction/create-product-variant.js`, fn: "createInventoryItems", method: "createInventoryItem" },
  44: { file: `${MEDUSA}api/routes/admin/products/transaction/create-product-variant.js`, fn: "removeInventoryItems", method: "deleteInventoryItem" },
  45: { file: `${MEDUSA}scripts/migrate-inventory-items.js`, fn: "migrateProductVariant", method: "createInventoryItem" },
  46: { file: `${MEDUSA}scripts/migrate-inventory-items.js`, fn: "migrateProductVariant", method: "createInventoryLevel" },
  47: { file: "@medusajs/core-flows/dist/handlers/inventory/create-inventory-items.js", fn: "createInventoryItems", method: "createInventoryItem" },
  48: { file: "@medusajs/core-flows/dist/handlers/inventory/remove-inventory-items.js", fn: "removeInventoryItems", method: "deleteInventoryItem" },
}

/** Call sites named by a step that both replays recorded. */
const replayedSites = new Set<number>()

/** A step's key: the call site and the shape replayed, e.g. `#26 list-inventory-items.js default → listInventoryItems [?q=shirt]`. */
function site(n: number, shape: string): string {
  const s = SITES[n]
  if (!s) throw new Error(`no call site #${n}`)
  return `#${n} ${s.file.split("/").slice(-1)[0]} ${s.fn} → ${s.method} [${shape}]`
}

// ------------------------------------------------------------------ the store every flow starts from

const LOC_A = "sloc_01HA"
const LOC_B = "sloc_01HB"
/** A stock location without any inventory level. */
const LOC_C = "sloc_01HC"
const SALES_CHANNEL_LOCATIONS = [LOC_A, LOC_B]
const ADMIN = "usr_01ADMIN"

interface Store {
  /** TSHIRT-S: 10 at A, 3 at B. */
  shirtS: string
  /** TSHIRT-M: 5 at A. */
  shirtM: string
  /** MUG-1: 8 at A, 2 at B (4 incoming). */
  mug: string
  /** POSTER: no level anywhere. */
  poster: string
}

const ctx = (manager: EntityManager) => ({ transactionManager: manager })

/**
 * The same sequence of calls on both modules: `medusa migrate-inventory-items` for two variants,
 * the admin creating a product (one managed and one unmanaged variant) and an inventory item,
 * then location levels and titles through the admin inventory routes.
 */
async function seedStore(r: Replay, m: Module): Promise<Store> {
  const svc = r.service
  const migrate = (sku: string, fields: Record<string, unknown>, stocked: number) =>
    r.group(`migrate-inventory-items.js migrateProductVariant ${sku}, tx`, () =>
      m.transaction(async (manager) => {
        const item = await r.call(site(45, `${sku}, ctx tx`), () =>
          svc.createInventoryItem({ sku, ...fields, requires_shipping: true }, ctx(manager))
        )
        await r.call(site(46, `${sku}, ctx tx`), () =>
          svc.createInventoryLevel(
            { location_id: LOC_A, inventory_item_id: item.id, stocked_quantity: stocked, incoming_quantity: 0 },
            ctx(manager)
          )
        )
        return item.id as string
      })
    )
  // The script passes the variant's columns, nullable ones as null.
  const shirtS = await migrate(
    "TSHIRT-S",
    { material: "cotton", width: 30, length: 40, height: 1, weight: 200, origin_country: "PT", hs_code: "610910", mid_code: "PTMID1" },
    10
  )
  const shirtM = await migrate(
    "TSHIRT-M",
    { material: null, width: null, length: null, height: null, weight: null, origin_country: null, hs_code: null, mid_code: null },
    5
  )

  // POST /admin/products: createVariantsTransaction makes an item per managed variant, at once.
  const variants = [
    { sku: "MUG-1", manage_inventory: true, origin_country: "CN", hs_code: "691200", mid_code: null, material: "ceramic", weight: 350, length: 10, height: 12, width: 10 },
    { sku: "GIFT-CARD", manage_inventory: false, origin_country: null, hs_code: null, mid_code: null, material: null, weight: null, length: null, height: null, width: null },
  ]
  const created = await r.group(
    site(43, "two variants, one managed, tx"),
    () =>
      m.transaction((manager) =>
        Promise.all(
          variants.map(async (variant) => {
            if (!variant.manage_inventory) return undefined
            const { sku, origin_country, hs_code, mid_code, material, weight, length, height, width } = variant
            return r.call(site(43, `${sku}, ctx tx`), () =>
              svc.createInventoryItem({ sku, origin_country, hs_code, mid_code, material, weight, length, height, width }, ctx(manager))
            )
          })
        )
      ),
    { unorderedEvents: true }
  )
  const mug = created[0].id as string

  // POST /admin/inventory-items { variant_id, sku }: the workflow's handler passes every field, most undefined.
  const body = instance(AdminPostInventoryItemsReq, { variant_id: "variant_poster", sku: "POSTER" })
  const { variant_id: _variant, ...input } = body as { variant_id: string; sku: string } & Record<string, unknown>
  const poster = (
    await r.call(site(47, "POSTER, no ctx"), () =>
      svc.createInventoryItem({
        sku: input.sku,
        origin_country: input.origin_country,
        hs_code: input.hs_code,
        mid_code: input.mid_code,
        material: input.material,
        weight: input.weight,
        length: input.length,
        height: input.height,
        width: input.width,
      })
    )
  ).id as string

  await createLocationLevel(r, mug, { location_id: LOC_A, stocked_quantity: 8 }, "MUG-1 at A")
  await createLocationLevel(r, mug, { location_id: LOC_B, stocked_quantity: 2, incoming_quantity: 4 }, "MUG-1 at B, incoming")
  await createLocationLevel(r, shirtS, { location_id: LOC_B, stocked_quantity: 3 }, "TSHIRT-S at B")

  await updateInventoryItem(r, shirtS, { title: "T-shirt small", description: "Organic cotton tee" }, "title and description")
  await updateInventoryItem(r, shirtM, { title: "T-shirt medium" }, "title")
  await updateInventoryItem(r, mug, { title: "Coffee mug", description: "Mug with a shirt print" }, "title and description")
  return { shirtS, shirtM, mug, poster }
}

/** POST /admin/inventory-items/:id/location-levels */
async function createLocationLevel(r: Replay, itemId: string, sent: Record<string, unknown>, shape: string): Promise<unknown> {
  const body = instance(AdminPostInventoryItemsItemLocationLevelsReq, sent) as Record<string, any>
  await r.call(site(30, shape), () =>
    r.service.createInventoryLevel({
      inventory_item_id: itemId,
      location_id: body.location_id,
      stocked_quantity: body.stocked_quantity,
      incoming_quantity: body.incoming_quantity,
    })
  )
  return r.call(site(31, shape), () => r.service.retrieveInventoryItem(itemId, inventoryItemRetrieveConfig()))
}

/** POST /admin/inventory-items/:id */
async function updateInventoryItem(r: Replay, itemId: string, sent: Record<string, unknown>, shape: string): Promise<unknown> {
  await r.call(site(28, shape), () => r.service.updateInventoryItem(itemId, instance(AdminPostInventoryItemsInventoryItemReq, sent)))
  return r.call(site(29, shape), () => r.service.retrieveInventoryItem(itemId, inventoryItemRetrieveConfig()))
}

/**
 * utils/join-levels.js: the levels of the listed items (at the filtered locations), then the
 * available quantity of each level. Medusa asks for the per-level quantities in the order the
 * level list came back, which neither module promises; they are asked here in a fixed order
 * (item label, location) so that both replays make the same calls.
 */
async function joinLevels(r: Replay, itemIds: string[], locationIds: string[], shape: string): Promise<void> {
  const selector: Record<string, unknown> = { inventory_item_id: itemIds }
  if (locationIds.length) selector.location_id = locationIds
  const [levels] = await r.call(site(39, shape), () => r.service.listInventoryLevels(selector, {}), { unordered: true })
  const ordered = [...(levels as { inventory_item_id: string; location_id: string }[])].sort((a, b) => {
    const ka = `${r.labeller.label(a.inventory_item_id)} ${a.location_id}`
    const kb = `${r.labeller.label(b.inventory_item_id)} ${b.location_id}`
    return ka < kb ? -1 : ka > kb ? 1 : 0
  })
  for (const level of ordered) {
    await r.call(site(40, `${shape}: ${r.labeller.label(level.inventory_item_id)} at ${level.location_id}`), () =>
      r.service.retrieveAvailableQuantity(level.inventory_item_id, [level.location_id])
    )
  }
}

// ------------------------------------------------------------------ flows shared by several tests

interface VariantPart {
  inventory_item_id: string
  required_quantity: number
}

/**
 * ProductVariantInventoryService.reserveQuantity: with no location given, the first level of the
 * variant's first item at the sales channel's locations decides the location; then one
 * reservation per inventory item of the variant, in one call.
 */
async function reserveQuantity(
  r: Replay,
  manager: EntityManager,
  parts: VariantPart[],
  quantity: number,
  context: { lineItemId?: string; salesChannelLocations?: string[]; locationId?: string },
  shape: string
): Promise<unknown[]> {
  let locationId = context.locationId
  if (locationId === undefined && context.salesChannelLocations) {
    const [levels, count] = await r.call(
      site(4, shape),
      () =>
        r.service.listInventoryLevels(
          { location_id: context.salesChannelLocations, inventory_item_id: parts[0].inventory_item_id },
          undefined,
          ctx(manager)
        ),
      { unordered: true }
    )
    if (count === 0) throw new Error("no level at the sales channel's locations (Medusa answers INVALID_DATA here)")
    // Medusa takes the first level listed. The list's order is not promised by the official (ours:
    // id order); the flows below keep it the creation order on both, so the locations agree.
    locationId = (levels as { location_id: string }[])[0].location_id
  }
  return r.call(site(5, shape), () =>
    r.service.createReservationItems(
      parts.map((part) => ({
        line_item_id: context.lineItemId,
        location_id: locationId,
        inventory_item_id: part.inventory_item_id,
        quantity: part.required_quantity * quantity,
      })),
      ctx(manager)
    )
  )
}

/**
 * ProductVariantInventoryService.adjustReservationsQuantityByLineItem(lineItemId, variantId,
 * locationId, -quantity), as a fulfillment calls it: the line item's reservations, newest first,
 * those at the fulfilled location first; one reservation of exactly the fulfilled quantity there
 * is deleted alone; otherwise whole reservations are deleted until the rest fits in one, which is
 * reduced.
 */
async function adjustReservationsByLineItem(
  r: Replay,
  manager: EntityManager,
  lineItemId: string,
  part: VariantPart,
  locationId: string,
  fulfilled: number,
  shape: string
): Promise<void> {
  const [reservations, count] = await r.call(site(6, shape), () =>
    r.service.listReservationItems({ line_item_id: lineItemId }, { order: { created_at: "DESC" } }, ctx(manager))
  )
  if (!count) return
  const list = reservations as { id: string; quantity: number; location_id: string }[]
  const here = list.filter((res) => res.location_id === locationId)
  const candidates = [...here, ...list.filter((res) => res.location_id !== locationId)]
  const delta = Math.abs(fulfilled * part.required_quantity)
  const exact = here.find((res) => res.quantity === delta)
  if (exact) {
    await r.call(site(7, shape), () => r.service.deleteReservationItem(exact.id, ctx(manager)))
    return
  }
  let remaining = delta
  const toDelete: string[] = []
  let toReduce: { id: string; quantity: number } | undefined
  for (const res of candidates) {
    if (res.quantity <= remaining) {
      remaining -= res.quantity
      toDelete.push(res.id)
    } else {
      toReduce = res
      break
    }
  }
  if (toDelete.length) {
    await r.call(site(8, shape), () => r.service.deleteReservationItem(toDelete, ctx(manager)))
  }
  if (toReduce) {
    const reduced = toReduce
    await r.call(site(9, shape), () => r.service.updateReservationItem(reduced.id, { quantity: reduced.quantity - remaining }, ctx(manager)))
  }
}

/** A snapshot of the stock as Medusa's admin reads it: every item with its levels (list + join-levels). */
async function adminInventoryPage(r: Replay, shape: string): Promise<void> {
  const [items] = await r.call(site(26, `GET /admin/inventory-items, ${shape}`), () =>
    r.service.listInventoryItems({}, inventoryItemsListConfig())
  )
  await joinLevels(
    r,
    (items as { id: string }[]).map((i) => i.id),
    [],
    `GET /admin/inventory-items, ${shape}`
  )
}

// ------------------------------------------------------------------ deliberate differences (README "Behaviour")

const README = {
  validated:
    "Input is validated before any SQL (the input shapes in src/stock/tables.ts): quantities are integers within PostgreSQL integer; reservation quantities are positive; reserved and incoming quantities not negative; physical dimensions (weight, length, height, width) not negative; offsets and limits not negative; ids non-empty strings; no unknown fields, filters, relations or operators, no empty operator objects. The official module stores or crashes on such input; we answer INVALID_DATA naming the field.",
  deletesAll:
    "Deletes act on every matching row (deleteReservationItem([...]) and deleteReservationItemsByLineItem with more than 10 rows), and every reservation delete releases its quantity",
  zero: "Quantities of an item without levels are 0, not NaN.",
  levelChecksItem: "createInventoryLevel(s) checks the item exists (NOT_FOUND otherwise).",
  deletedLevels: "listInventoryItems({ location_id }) ignores deleted levels; the official module lists an item whose level at the location was deleted.",
  orderById:
    "List results are ordered by id after any requested order, so skip/take pages never overlap. Without relations, rows are plain objects (not entity instances).",
  afterCommit: "Events are sent after commit, never for a rolled-back call; payloads are the official ones.",
  literalSearch:
    "% and _ in a search match themselves, in q and in the contains, starts_with and ends_with filters; the official module hands them to ILIKE as wildcards (q=% lists everything there).",
  moveRefused:
    "A reservation moved to a location where its item has no level is refused with NOT_FOUND Item X is not stocked at location Y; the official module moves it, and its quantity is then reserved nowhere.",
  recreate:
    "A deleted level can be created again. Stores that ran the official module keep a full unique index on (item, location), so a level removed (alone, or with its stock location) can never be made again there; our migration makes the index partial on live levels.",
}

/** The README's text as the quotes above read it: without markdown's emphasis and code marks. */
const README_TEXT = fs
  .readFileSync(path.resolve(__dirname, "../../README.md"), "utf8")
  .replace(/\*\*|`/g, "")
  .replace(/\s+/g, " ")

/** Our answer is INVALID_DATA, its message naming `field`, and nothing was written (no events). */
function refusedAsInvalid(field: string): (ours: Step, official: Step) => void {
  return (ours) => {
    expect(ours.outcome.ok).toBe(false)
    expect(ours.outcome.error?.type).toBe("invalid_data")
    expect(ours.outcome.error?.message).toContain(field)
    expect(ours.outcome.events ?? []).toEqual([])
  }
}

function rolledBackWithoutEvents(ours: Step, official: Step): void {
  expect(ours.outcome.ok).toBe(false)
  expect(ours.outcome.error).toEqual(official.outcome.error)
  expect(ours.outcome.events).toEqual([])
}

const KEYS = {
  weightFraction: site(28, "weight 1.5"),
  levelIncomingFraction: site(30, "incoming_quantity 2.5"),
  levelForUnknownItem: site(30, "item that does not exist"),
  levelUpdateFraction: site(32, "stocked_quantity 5.5"),
  reservedOfMissingLevel: site(34, "no level at C"),
  reservedOfDeletedLevel: site(34, "MUG-1 at B, again"),
  reservationQuantityZero: site(22, "quantity 0"),
  reservationQuantityFraction: site(22, "quantity 1.5"),
  reserveWithoutLocation: site(5, "POST /admin/orders/:id/line-items/:line_item_id/reserve without location_id"),
  reservedAfterManyDeleted: site(34, "TSHIRT-S at A after cancelling a line item with 12 reservations"),
  retrieveUnknownRelation: site(27, "?expand=location_levels"),
  deletedLevelFilter: site(26, "?location_id=B, TSHIRT-S's level at B removed"),
  posterQuantity: site(14, "POSTER has no level"),
  posterConfirm: site(1, "POSTER has no level"),
  tieOnCreatedAt: site(26, "items created in one transaction"),
  negativeOffset: site(26, "?offset=-1"),
  negativeWeight: site(28, "weight -10"),
  negativeDimensions: site(28, "height -1, width -2, length -3"),
  afterNegativeDimensions: site(29, "after negative dimensions"),
  failedCheckoutEvents: "cart completion: failing reservation, tx",
  rolledBackProduct: "create product, tx, failing after the items",
}

const ALLOWED: Record<string, Allowance> = {
  // Fractional or otherwise invalid numbers that Medusa's class-validator lets through (IsNumber).
  [KEYS.weightFraction]: { readme: README.validated, check: refusedAsInvalid("weight") },
  [KEYS.levelIncomingFraction]: { readme: README.validated, check: refusedAsInvalid("incoming_quantity") },
  [KEYS.levelUpdateFraction]: { readme: README.validated, check: refusedAsInvalid("stocked_quantity") },
  [KEYS.reservationQuantityZero]: { readme: README.validated, check: refusedAsInvalid("quantity") },
  [KEYS.reservationQuantityFraction]: { readme: README.validated, check: refusedAsInvalid("quantity") },
  // reserveQuantity(variant, qty, { locationId: undefined }) sends location_id: undefined; the
  // official looks for a level at location "undefined" and answers NOT_FOUND.
  [KEYS.reserveWithoutLocation]: { readme: README.validated, check: refusedAsInvalid("location_id") },
  // Not a relation of the item: the official's find throws TypeORM's EntityPropertyNotFoundError
  // (Medusa answers 500); an unknown field, refused as INVALID_DATA here.
  [KEYS.retrieveUnknownRelation]: { readme: README.validated, check: refusedAsInvalid("location_levels") },
  // The official fails in PostgreSQL ("OFFSET must not be negative"; Medusa answers 500).
  [KEYS.negativeOffset]: { readme: README.validated, check: refusedAsInvalid("config.skip") },
  // Medusa's IsNumber() has no Min: the official stores negative dimensions.
  [KEYS.negativeWeight]: { readme: README.validated, check: refusedAsInvalid("input.weight") },
  [KEYS.negativeDimensions]: { readme: README.validated, check: refusedAsInvalid("input.length") },
  [KEYS.afterNegativeDimensions]: {
    readme: README.validated,
    check: (ours, official) => {
      const dimensions = (step: Step) => {
        const item = step.outcome.value as Record<string, number | null>
        return ["weight", "length", "height", "width"].map((d) => item[d])
      }
      // Ours kept what was there; the official stored at least one negative value.
      expect(dimensions(ours).every((v) => v === null || v >= 0)).toBe(true)
      expect(dimensions(official).some((v) => v !== null && v < 0)).toBe(true)
    },
  },
  [KEYS.levelForUnknownItem]: {
    readme: README.levelChecksItem,
    check: (ours) => {
      expect(ours.outcome.error).toEqual({ type: "not_found", message: "InventoryItem with id iitem_01UNKNOWN was not found" })
    },
  },
  // The official sums no rows to NaN.
  [KEYS.reservedOfMissingLevel]: { readme: README.zero, check: (ours) => expect(ours.outcome).toMatchObject({ ok: true, value: 0 }) },
  [KEYS.reservedOfDeletedLevel]: { readme: README.zero, check: (ours) => expect(ours.outcome).toMatchObject({ ok: true, value: 0 }) },
  [KEYS.posterQuantity]: { readme: README.zero, check: (ours) => expect(ours.outcome).toMatchObject({ ok: true, value: 0 }) },
  // NaN >= 1 and 0 >= 1 are both false: same answer, but the official gets there through NaN.
  [KEYS.posterConfirm]: {
    readme: README.zero,
    check: (ours, official) => {
      expect(ours.outcome).toMatchObject({ ok: true, value: false })
      expect(official.outcome.value).toBe(false)
    },
  },
  // The official releases the quantity of the first 10 reservations only (its list's default take).
  [KEYS.reservedAfterManyDeleted]: {
    readme: README.deletesAll,
    check: (ours, official) => {
      expect(ours.outcome).toMatchObject({ ok: true, value: 0 })
      expect(official.outcome.value).toBe(2)
    },
  },
  // The official joins inventory_level without its deleted_at condition.
  [KEYS.deletedLevelFilter]: {
    readme: README.deletedLevels,
    check: (ours, official) => {
      const ids = (step: Step) => ((step.outcome.value as [{ id: string }[], number])[0]).map((row) => row.id)
      // Only the mug is still stocked at B; the official also lists the shirt, whose level there is deleted.
      expect(ids(ours)).toEqual(["iitem#3"])
      expect((ours.outcome.value as [unknown[], number])[1]).toBe(1)
      expect(ids(official).filter((id) => id !== "iitem#1")).toEqual(ids(ours))
    },
  },
  [KEYS.tieOnCreatedAt]: {
    readme: README.orderById,
    check: (ours, official) => {
      // created_at DESC, then id: the three items made in one transaction share created_at.
      const rows = listRows(ours.raw.value) as { id: string; created_at: Date }[]
      const sorted = [...rows].sort((a, b) => b.created_at.getTime() - a.created_at.getTime() || (a.id < b.id ? -1 : 1))
      expect(rows.map((row) => row.id)).toEqual(sorted.map((row) => row.id))
      const set = (step: Step) => JSON.stringify([...(listRows(step.outcome.value) as unknown[])].map((row) => JSON.stringify(row)).sort())
      expect(set(ours)).toBe(set(official))
    },
  },
  // The official emits inside the transaction, also for what the rollback then undoes.
  [KEYS.failedCheckoutEvents]: { readme: README.afterCommit, check: rolledBackWithoutEvents },
  [KEYS.rolledBackProduct]: { readme: README.afterCommit, check: rolledBackWithoutEvents },
}

const usedAllowances = new Set<string>()

// ------------------------------------------------------------------ the suite

describe("Medusa 1.20.11 core calls replayed against @medusajs/inventory@1.11.7 and this module", () => {
  let pair: ModulePair

  beforeAll(async () => {
    pair = await setupModulePair()
  })
  afterAll(async () => {
    await pair?.close()
  })
  beforeEach(async () => {
    await pair.reset()
  })

  /** Runs `flow` on the official module, then on ours, and expects the same steps and answers. */
  async function replay(flow: Flow): Promise<{ official: Replay; ours: Replay }> {
    const official = await runFlow(pair.official, flow)
    const ours = await runFlow(pair.ours, flow)
    for (const step of ours.steps) {
      if (ALLOWED[step.key]) usedAllowances.add(step.key)
      if (official.steps.some((o) => o.key === step.key)) {
        for (const match of step.key.matchAll(/#(\d+) /g)) replayedSites.add(Number(match[1]))
      }
    }
    expect(compareReplays(official, ours, ALLOWED)).toEqual([])
    return { official, ours }
  }

  /**
   * A flow on which the two modules differ on purpose (a README "Behaviour" bullet, quoted):
   * both are replayed, and `check` asserts what each answered instead of their equality.
   */
  async function replayDifferent(readme: string, flow: Flow, check: (official: Replay, ours: Replay) => void): Promise<void> {
    expect(README_TEXT).toContain(readme)
    const official = await runFlow(pair.official, flow)
    const ours = await runFlow(pair.ours, flow)
    for (const step of ours.steps) {
      for (const match of step.key.matchAll(/#(\d+) /g)) replayedSites.add(Number(match[1]))
    }
    check(official, ours)
  }

  /** The (first) step of `replay` recorded under `key`. */
  const stepOf = (replay: Replay, key: string): Step => {
    const step = replay.steps.find((s) => s.key === key)
    if (!step) throw new Error(`no step ${key} in the ${replay.module.name} replay`)
    return step
  }

  /** A flow that starts from the seeded store. */
  const withStore = (flow: (r: Replay, m: Module, store: Store) => Promise<void>): Flow => async (r, m) => {
    const store = await seedStore(r, m)
    await flow(r, m, store)
  }

  describe("admin inventory items (api/routes/admin/inventory-items)", () => {
    it("seeding through the migrate script, product creation, the inventory item workflow and the admin routes; then GET /admin/inventory-items/:id", async () => {
      await replay(
        withStore(async (r, _m, store) => {
          for (const [name, id] of Object.entries(store)) {
            const item = await r.call(site(27, name), () => r.service.retrieveInventoryItem(id, inventoryItemRetrieveConfig()))
            await joinLevels(r, [(item as { id: string }).id], [], `GET /admin/inventory-items/:id ${name}`)
          }
          await r.attempt(site(27, "?fields=sku"), () => r.service.retrieveInventoryItem(store.mug, inventoryItemRetrieveConfig(["sku", "id"])))
          await r.attempt(site(27, "unknown id"), () => r.service.retrieveInventoryItem("iitem_01UNKNOWN", inventoryItemRetrieveConfig()))
        })
      )
    })

    it("GET /admin/inventory-items/:id?expand=location_levels", async () => {
      await replay(
        withStore(async (r, _m, store) => {
          await r.attempt(KEYS.retrieveUnknownRelation, () =>
            r.service.retrieveInventoryItem(store.mug, { select: inventoryItemRetrieveConfig().select, relations: ["location_levels"] })
          )
        })
      )
    })

    /** GET /admin/inventory-items?...: listInventoryItems, then join-levels with the location filter. */
    const listCases: { http: string; filterable: (s: Store) => Record<string, unknown>; config: Record<string, unknown> }[] = [
      { http: "(no query)", filterable: () => ({}), config: inventoryItemsListConfig() },
      { http: "?location_id=A", filterable: () => ({ location_id: LOC_A }), config: inventoryItemsListConfig() },
      { http: "?location_id[]=A&location_id[]=B", filterable: () => ({ location_id: [LOC_A, LOC_B] }), config: inventoryItemsListConfig() },
      // Medusa Admin's Inventory page, before it has picked a location.
      { http: "?location_id=&offset=0&limit=15", filterable: () => ({ location_id: "" }), config: inventoryItemsListConfig({ take: 15 }) },
      { http: "?location_id=C", filterable: () => ({ location_id: LOC_C }), config: inventoryItemsListConfig() },
      { http: "?q=shirt&offset=0&limit=10", filterable: () => ({ q: "shirt" }), config: inventoryItemsListConfig({ take: 10 }) },
      { http: "?q=", filterable: () => ({ q: "" }), config: inventoryItemsListConfig() },
      { http: "?q=MUG&location_id=B", filterable: () => ({ q: "MUG", location_id: LOC_B }), config: inventoryItemsListConfig() },
      { http: "?order=-sku", filterable: () => ({}), config: inventoryItemsListConfig({ order: { sku: "DESC" } }) },
      {
        http: "?fields=sku,title&order=title",
        filterable: () => ({}),
        config: inventoryItemsListConfig({ select: ["sku", "title", "created_at", "id"], order: { title: "ASC" } }),
      },
      { http: "?offset=1&limit=2", filterable: () => ({}), config: inventoryItemsListConfig({ skip: 1, take: 2 }) },
      { http: "?offset=10&limit=5", filterable: () => ({}), config: inventoryItemsListConfig({ skip: 10, take: 5 }) },
      // The validator lets both through: take 0, skip -1.
      { http: "?limit=0", filterable: () => ({}), config: inventoryItemsListConfig({ take: 0 }) },
      { http: "?offset=-1", filterable: () => ({}), config: inventoryItemsListConfig({ skip: -1 }) },
      { http: "?sku=MUG-1&requires_shipping=true", filterable: () => ({ sku: "MUG-1", requires_shipping: true }), config: inventoryItemsListConfig() },
      { http: "?requires_shipping=false", filterable: () => ({ requires_shipping: false }), config: inventoryItemsListConfig() },
      { http: "?sku[]=TSHIRT-S&sku[]=POSTER", filterable: () => ({ sku: ["TSHIRT-S", "POSTER"] }), config: inventoryItemsListConfig() },
      {
        http: "?hs_code[contains]=0910&weight[gt]=100",
        filterable: () => ({ hs_code: { contains: "0910" }, weight: { gt: "100" } }),
        config: inventoryItemsListConfig(),
      },
      { http: "?origin_country=PT", filterable: () => ({ origin_country: "PT" }), config: inventoryItemsListConfig() },
      { http: "?id[]=<shirt-m>&id[]=<poster>", filterable: (s) => ({ id: [s.shirtM, s.poster] }), config: inventoryItemsListConfig() },
      { http: "?id=<mug>", filterable: (s) => ({ id: s.mug }), config: inventoryItemsListConfig() },
      { http: "?expand=location_levels", filterable: () => ({}), config: inventoryItemsListConfig({ relations: ["location_levels"] }) },
    ]

    it.each(listCases)("GET /admin/inventory-items$http", async ({ http, filterable, config }) => {
      await replay(
        withStore(async (r, _m, store) => {
          const selector = filterable(store)
          const [items] = await r.call(site(26, http), () => r.service.listInventoryItems(selector, structuredClone(config)))
          const filter = selector.location_id
          const locationIds = filter ? (Array.isArray(filter) ? (filter as string[]) : [filter as string]) : []
          await joinLevels(r, (items as { id: string }[]).map((i) => i.id), locationIds, `GET /admin/inventory-items${http}`)
        })
      )
    })

    it("GET /admin/inventory-items?q=%25 and ?q=T_SHIRT: LIKE's wildcards in the search text (README: they match themselves)", async () => {
      const percent = site(26, "?q=%25")
      const underscore = site(26, "?q=T_SHIRT")
      const plain = site(26, "?q=SHIRT")
      await replayDifferent(
        README.literalSearch,
        withStore(async (r) => {
          await r.call(percent, () => r.service.listInventoryItems({ q: "%" }, inventoryItemsListConfig()))
          await r.call(underscore, () => r.service.listInventoryItems({ q: "T_SHIRT" }, inventoryItemsListConfig()))
          await r.call(plain, () => r.service.listInventoryItems({ q: "SHIRT" }, inventoryItemsListConfig()))
        }),
        (official, ours) => {
          const count = (replay: Replay, key: string) => (stepOf(replay, key).outcome.value as [unknown[], number])[1]
          // No sku, title or description holds a "%" or "T_SHIRT" (the shirts are TSHIRT-S and TSHIRT-M).
          expect([count(ours, percent), count(ours, underscore)]).toEqual([0, 0])
          expect(count(official, percent)).toBe(4)
          expect(count(official, underscore)).toBe(2)
          // Text without wildcards finds the same on both (the two shirts and the mug "with a shirt print").
          expect(count(ours, plain)).toBe(count(official, plain))
          expect(count(ours, plain)).toBe(3)
        }
      )
    })

    it("GET /admin/inventory-items?location_id=B after a level at B was removed", async () => {
      await replay(
        withStore(async (r, _m, store) => {
          await r.call(site(34, "TSHIRT-S at B"), () => r.service.retrieveReservedQuantity(store.shirtS, [LOC_B]))
          await r.call(site(35, "TSHIRT-S at B"), () => r.service.deleteInventoryLevel(store.shirtS, LOC_B))
          const [items] = await r.call(KEYS.deletedLevelFilter, () => r.service.listInventoryItems({ location_id: LOC_B }, inventoryItemsListConfig()))
          await joinLevels(r, (items as { id: string }[]).map((i) => i.id), [LOC_B], "GET /admin/inventory-items?location_id=B")
        })
      )
    })

    it("GET /admin/inventory-items lists items made in one transaction (same created_at) in a stable order", async () => {
      await replay(async (r, m) => {
        // POST /admin/products with three managed variants: one transaction, one created_at.
        await r.group(
          site(43, "three managed variants, tx"),
          () =>
            m.transaction((manager) =>
              Promise.all(
                ["BAG-S", "BAG-M", "BAG-L"].map((sku) =>
                  r.call(site(43, `${sku}, ctx tx`), () => r.service.createInventoryItem({ sku, weight: 100 }, ctx(manager)))
                )
              )
            ),
          { unorderedEvents: true }
        )
        await r.call(KEYS.tieOnCreatedAt, () => r.service.listInventoryItems({}, inventoryItemsListConfig()))
      })
    })

    it("POST /admin/inventory-items/:id with the bodies Medusa's validator lets through", async () => {
      await replay(
        withStore(async (r, _m, store) => {
          await updateInventoryItem(r, store.mug, {}, "empty body")
          await updateInventoryItem(r, store.mug, { title: "Coffee mug" }, "unchanged title")
          await updateInventoryItem(r, store.poster, { sku: "POSTER-A2", requires_shipping: false, thumbnail: "https://x/p.png" }, "sku, requires_shipping, thumbnail")
          await updateInventoryItem(r, store.shirtM, { weight: 0, length: 0, origin_country: "ES" }, "zeroes")
          await r.attempt(KEYS.weightFraction, () =>
            r.service.updateInventoryItem(store.shirtM, instance(AdminPostInventoryItemsInventoryItemReq, { weight: 1.5 }))
          )
          await r.attempt(site(28, "unknown id"), () =>
            r.service.updateInventoryItem("iitem_01UNKNOWN", instance(AdminPostInventoryItemsInventoryItemReq, { title: "x" }))
          )
          await adminInventoryPage(r, "after the updates")
        })
      )
    })

    it("POST /admin/inventory-items/:id with negative dimensions (IsNumber() has no Min)", async () => {
      await replay(
        withStore(async (r, _m, store) => {
          await r.attempt(site(28, "weight -10"), () =>
            r.service.updateInventoryItem(store.shirtM, instance(AdminPostInventoryItemsInventoryItemReq, { weight: -10 }))
          )
          await r.attempt(site(28, "height -1, width -2, length -3"), () =>
            r.service.updateInventoryItem(store.mug, instance(AdminPostInventoryItemsInventoryItemReq, { height: -1, width: -2, length: -3 }))
          )
          await r.call(site(29, "after negative dimensions"), () => r.service.retrieveInventoryItem(store.shirtM, inventoryItemRetrieveConfig()))
          await r.call(site(29, "after negative dimensions"), () => r.service.retrieveInventoryItem(store.mug, inventoryItemRetrieveConfig()))
        })
      )
    })

    it("POST /admin/inventory-items/:id/location-levels", async () => {
      await replay(
        withStore(async (r, _m, store) => {
          await createLocationLevel(r, store.poster, { location_id: LOC_C, stocked_quantity: 0 }, "POSTER at C, 0")
          await createLocationLevel(r, store.shirtM, { location_id: LOC_B, stocked_quantity: -5, incoming_quantity: 0 }, "TSHIRT-M at B, negative stock")
          await adminInventoryPage(r, "after the new levels")
        })
      )
    })

    it("POST /admin/inventory-items/:id/location-levels for a location the item is already stocked at", async () => {
      await replay(
        withStore(async (r, _m, store) => {
          await r.attempt(site(30, "MUG-1 at A again"), () =>
            r.service.createInventoryLevel({ inventory_item_id: store.mug, location_id: LOC_A, stocked_quantity: 1, incoming_quantity: undefined })
          )
        })
      )
    })

    it("POST /admin/inventory-items/:id/location-levels with input the module refuses (README: validated input, item must exist)", async () => {
      await replay(
        withStore(async (r, _m, store) => {
          await r.attempt(KEYS.levelIncomingFraction, () =>
            r.service.createInventoryLevel({ inventory_item_id: store.poster, location_id: LOC_A, stocked_quantity: 1, incoming_quantity: 2.5 })
          )
          await r.attempt(KEYS.levelForUnknownItem, () =>
            r.service.createInventoryLevel({ inventory_item_id: "iitem_01UNKNOWN", location_id: LOC_A, stocked_quantity: 1, incoming_quantity: undefined })
          )
        })
      )
    })

    it("POST /admin/inventory-items/:id/location-levels/:location_id", async () => {
      await replay(
        withStore(async (r, _m, store) => {
          const update = async (itemId: string, location: string, sent: Record<string, unknown>, shape: string) => {
            await r.call(site(32, shape), () =>
              r.service.updateInventoryLevel(itemId, location, instance(AdminPostInventoryItemsItemLocationLevelsLevelReq, sent))
            )
            await r.call(site(33, shape), () => r.service.retrieveInventoryItem(itemId, inventoryItemRetrieveConfig()))
          }
          await update(store.mug, LOC_A, { stocked_quantity: 12 }, "stocked_quantity 12")
          await update(store.mug, LOC_B, { incoming_quantity: 0, stocked_quantity: 6 }, "both quantities")
          await update(store.mug, LOC_B, { stocked_quantity: 6 }, "unchanged")
          await update(store.shirtM, LOC_A, {}, "empty body")
          await r.attempt(site(32, "no level at C"), () =>
            r.service.updateInventoryLevel(store.shirtM, LOC_C, instance(AdminPostInventoryItemsItemLocationLevelsLevelReq, { stocked_quantity: 1 }))
          )
          await r.attempt(KEYS.levelUpdateFraction, () =>
            r.service.updateInventoryLevel(store.shirtM, LOC_A, instance(AdminPostInventoryItemsItemLocationLevelsLevelReq, { stocked_quantity: 5.5 }))
          )
          await adminInventoryPage(r, "after the level updates")
        })
      )
    })

    it("DELETE /admin/inventory-items/:id/location-levels/:location_id", async () => {
      await replay(
        withStore(async (r, _m, store) => {
          const remove = async (itemId: string, location: string, shape: string) => {
            const reserved = await r.call(site(34, shape), () => r.service.retrieveReservedQuantity(itemId, [location]))
            if (reserved > 0) return // Medusa answers NOT_ALLOWED "... because there are reserved items."
            await r.call(site(35, shape), () => r.service.deleteInventoryLevel(itemId, location))
            await r.call(site(36, shape), () => r.service.retrieveInventoryItem(itemId, inventoryItemRetrieveConfig()))
          }
          // A reservation at B keeps the level there.
          await r.call(site(22, "TSHIRT-S at B"), () =>
            r.service.createReservationItem({ ...instance(AdminPostReservationsReq, { location_id: LOC_B, inventory_item_id: store.shirtS, quantity: 1 }), created_by: ADMIN })
          )
          await remove(store.shirtS, LOC_B, "reserved items at B")
          await remove(store.mug, LOC_B, "MUG-1 at B")
          await remove(store.mug, LOC_B, "MUG-1 at B, again")
          await r.attempt(KEYS.reservedOfMissingLevel, () => r.service.retrieveReservedQuantity(store.shirtM, [LOC_C]))
          await r.call(site(35, "no level at C"), () => r.service.deleteInventoryLevel(store.shirtM, LOC_C))
          await adminInventoryPage(r, "after the deletes")
        })
      )
    })

    it("DELETE /admin/inventory-items/:id", async () => {
      await replay(
        withStore(async (r, m, store) => {
          // Inside the route's transaction, but without passing it.
          await r.group(site(37, "inside Medusa's tx, no ctx"), () => m.transaction(() => r.service.deleteInventoryItem(store.mug)))
          await r.attempt(site(27, "deleted item"), () => r.service.retrieveInventoryItem(store.mug, inventoryItemRetrieveConfig()))
          await adminInventoryPage(r, "after the delete")
          await r.call(site(37, "already deleted"), () => r.service.deleteInventoryItem(store.mug))
        })
      )
    })

    it("GET /admin/inventory-items/:id/location-levels", async () => {
      await replay(
        withStore(async (r, _m, store) => {
          const cases: [string, Record<string, unknown>][] = [
            ["(no query)", {}],
            ["?location_id[]=B", { location_id: [LOC_B] }],
            ["?location_id=A", { location_id: LOC_A }],
            ["?location_id[]=C", { location_id: [LOC_C] }],
            ["?location_id=", { location_id: "" }],
          ]
          for (const [http, filterable] of cases) {
            await r.call(site(38, `MUG-1 ${http}`), () =>
              r.service.listInventoryLevels({ ...filterable, inventory_item_id: store.mug }, locationLevelsRetrieveConfig()),
              { unordered: true }
            )
          }
          await r.call(site(38, "unknown item"), () =>
            r.service.listInventoryLevels({ inventory_item_id: "iitem_01UNKNOWN" }, locationLevelsRetrieveConfig())
          )
        })
      )
    })
  })

  describe("admin reservations (api/routes/admin/reservations, api/routes/admin/orders)", () => {
    /** POST /admin/reservations: the line item's quantity check first, when there is one. */
    async function createReservation(r: Replay, sent: Record<string, unknown>, shape: string, attempt = false): Promise<any> {
      const body = instance(AdminPostReservationsReq, sent) as Record<string, any>
      if (body.line_item_id !== undefined) {
        await r.call(site(24, shape), () => r.service.listReservationItems({ line_item_id: body.line_item_id }))
      }
      const create = () => r.service.createReservationItem({ ...body, created_by: ADMIN })
      return attempt ? r.attempt(site(22, shape), create) : r.call(site(22, shape), create)
    }

    it("POST, GET, POST /:id and DELETE /admin/reservations", async () => {
      await replay(
        withStore(async (r, _m, store) => {
          const first = await createReservation(r, { line_item_id: "item_01A", location_id: LOC_A, inventory_item_id: store.shirtS, quantity: 2 }, "line item, A")
          const second = await createReservation(
            r,
            { location_id: LOC_B, inventory_item_id: store.mug, quantity: 1, description: "Kept for a customer", metadata: { note: "vip" } },
            "no line item, description, metadata"
          )
          await createReservation(r, { line_item_id: "item_01A", location_id: LOC_C, inventory_item_id: store.shirtS, quantity: 1 }, "not stocked at C", true)
          await createReservation(r, { location_id: LOC_A, inventory_item_id: store.poster, quantity: 1 }, "POSTER has no level", true)

          await r.call(site(18, "existing"), () => r.service.listReservationItems({ id: first.id }))
          await r.call(site(18, "unknown id"), () => r.service.listReservationItems({ id: "resitem_01UNKNOWN" }))

          // POST /admin/reservations/:id: retrieve, the line item check when the quantity changes, then the update.
          const updateReservation = async (id: string, sent: Record<string, unknown>, shape: string) => {
            const current = await r.call(site(20, shape), () => r.service.retrieveReservationItem(id))
            if (current.line_item_id && sent.quantity !== undefined) {
              await r.call(site(24, shape), () => r.service.listReservationItems({ line_item_id: current.line_item_id }))
            }
            await r.call(site(21, shape), () => r.service.updateReservationItem(id, instance(AdminPostReservationsReservationReq, sent)))
          }
          await updateReservation(first.id, { quantity: 3 }, "quantity 3")
          await updateReservation(first.id, { location_id: LOC_B }, "move to B")
          await updateReservation(first.id, { location_id: LOC_A, quantity: 1 }, "back to A with quantity 1")
          await updateReservation(second.id, { description: "Changed", metadata: { note: "regular" } }, "description, metadata")
          await updateReservation(second.id, {}, "empty body")
          await r.attempt(site(20, "unknown id"), () => r.service.retrieveReservationItem("resitem_01UNKNOWN"))

          await r.call(site(19, "existing"), () => r.service.deleteReservationItem(second.id))
          await r.attempt(site(20, "deleted reservation"), () => r.service.retrieveReservationItem(second.id))
          await r.call(site(19, "already deleted"), () => r.service.deleteReservationItem(second.id))
          await r.call(site(19, "unknown id"), () => r.service.deleteReservationItem("resitem_01UNKNOWN"))
          await adminInventoryPage(r, "after the reservation changes")
        })
      )
    })

    it("POST /admin/reservations/:id moving a reservation to a location without a level (README: refused)", async () => {
      await replayDifferent(
        README.moveRefused,
        withStore(async (r, _m, store) => {
          const res = await createReservation(r, { location_id: LOC_A, inventory_item_id: store.mug, quantity: 2 }, "MUG-1 at A")
          await r.call(site(20, "move to C"), () => r.service.retrieveReservationItem(res.id))
          await r.attempt(site(21, "move to C"), () =>
            r.service.updateReservationItem(res.id, instance(AdminPostReservationsReservationReq, { location_id: LOC_C }))
          )
          await r.call(site(34, "MUG-1 at A after the move"), () => r.service.retrieveReservedQuantity(store.mug, [LOC_A]))
          await r.call(site(34, "MUG-1 at C after the move"), () => r.service.retrieveReservedQuantity(store.mug, [LOC_C]))
        }),
        (official, ours) => {
          const move = site(21, "move to C")
          expect(stepOf(official, move).outcome).toMatchObject({ ok: true, value: { location_id: LOC_C, quantity: 2 } })
          expect(stepOf(ours, move).outcome).toMatchObject({
            ok: false,
            error: { type: "not_found", message: `Item iitem#3 is not stocked at location ${LOC_C}` },
            events: [],
          })
          // The official's reservation now holds 2 units at C, where nothing is reserved; ours stays at A.
          expect(stepOf(official, site(34, "MUG-1 at A after the move")).outcome.value).toBe(0)
          expect(stepOf(ours, site(34, "MUG-1 at A after the move")).outcome.value).toBe(2)
          // No level at C: ours 0 (README: 0, not NaN), the official NaN.
          expect(stepOf(official, site(34, "MUG-1 at C after the move")).outcome.value).toBe("<number NaN>")
          expect(stepOf(ours, site(34, "MUG-1 at C after the move")).outcome.value).toBe(0)
        }
      )
    })

    it("POST /admin/reservations with quantities the module refuses (README: validated input)", async () => {
      await replay(
        withStore(async (r, _m, store) => {
          await r.attempt(KEYS.reservationQuantityZero, () =>
            r.service.createReservationItem({ ...instance(AdminPostReservationsReq, { location_id: LOC_A, inventory_item_id: store.mug, quantity: 0 }), created_by: ADMIN })
          )
          await r.attempt(KEYS.reservationQuantityFraction, () =>
            r.service.createReservationItem({ ...instance(AdminPostReservationsReq, { location_id: LOC_A, inventory_item_id: store.mug, quantity: 1.5 }), created_by: ADMIN })
          )
        })
      )
    })

    it("GET /admin/reservations with the query shapes Medusa's validator passes, and ?expand=inventory_item", async () => {
      await replay(
        withStore(async (r, m, store) => {
          await createReservation(r, { line_item_id: "item_01A", location_id: LOC_A, inventory_item_id: store.shirtS, quantity: 2 }, "A")
          await createReservation(r, { line_item_id: "item_01B", location_id: LOC_B, inventory_item_id: store.mug, quantity: 1, description: "gift wrap" }, "B")
          await createReservation(r, { location_id: LOC_A, inventory_item_id: store.mug, quantity: 3, description: "Display" }, "A, no line item")
          const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
            ["(no query)", {}, reservationsListConfig()],
            ["?location_id=A&offset=0&limit=10", { location_id: LOC_A }, reservationsListConfig({ take: 10 })],
            ["?location_id=", { location_id: "" }, reservationsListConfig()],
            ["?location_id[]=A&location_id[]=B", { location_id: [LOC_A, LOC_B] }, reservationsListConfig()],
            ["?inventory_item_id[]=<mug>", { inventory_item_id: [store.mug] }, reservationsListConfig()],
            ["?line_item_id[]=item_01A&line_item_id[]=item_01B", { line_item_id: ["item_01A", "item_01B"] }, reservationsListConfig()],
            ["?created_by[]=<admin>", { created_by: [ADMIN] }, reservationsListConfig()],
            ["?quantity[gt]=1", { quantity: instance(NumericalComparisonOperator, { gt: 1 }) }, reservationsListConfig()],
            ["?description[contains]=WRAP", { description: instance(StringComparisonOperator, { contains: "WRAP" }) }, reservationsListConfig()],
            ["?description=Display", { description: "Display" }, reservationsListConfig()],
            ["?created_at[lt]=2999-01-01", { created_at: instance(DateComparisonOperator, { lt: new Date("2999-01-01T00:00:00.000Z") }) }, reservationsListConfig()],
            ["?created_at[gt]=2999-01-01", { created_at: instance(DateComparisonOperator, { gt: new Date("2999-01-01T00:00:00.000Z") }) }, reservationsListConfig()],
            ["?offset=1&limit=1", {}, reservationsListConfig({ skip: 1, take: 1 })],
          ]
          for (const [http, filterable, config] of cases) {
            await r.call(site(17, http), () => r.service.listReservationItems(filterable, config, ctx(m.manager)))
          }
          // ?expand=inventory_item,line_item: the route takes both out of relations and joins the items itself.
          const [reservations] = await r.call(site(17, "?expand=inventory_item,line_item"), () =>
            r.service.listReservationItems({}, { ...reservationsListConfig(), relations: [] }, ctx(m.manager))
          )
          await r.call(site(23, "the listed reservations' items"), () =>
            r.service.listInventoryItems({ id: (reservations as { inventory_item_id: string }[]).map((res) => res.inventory_item_id) }, {}, ctx(m.manager)),
            { unordered: true }
          )
          await r.call(site(23, "no reservations"), () => r.service.listInventoryItems({ id: [] }, {}, ctx(m.manager)))
        })
      )
    })

    it("GET /admin/reservations?limit=0 (the validator lets take 0 through)", async () => {
      await replay(
        withStore(async (r, m, store) => {
          await createReservation(r, { line_item_id: "item_01A", location_id: LOC_A, inventory_item_id: store.shirtS, quantity: 2 }, "A")
          await createReservation(r, { location_id: LOC_B, inventory_item_id: store.mug, quantity: 1 }, "B")
          await r.call(site(17, "?limit=0"), () => r.service.listReservationItems({}, reservationsListConfig({ take: 0 }), ctx(m.manager)))
          await r.call(site(25, "?limit=0"), () => r.service.listReservationItems({ line_item_id: ["item_01A"] }, orderReservationsListConfig({ take: 0 })))
        })
      )
    })

    it("GET /admin/orders/:id/reservations", async () => {
      await replay(
        withStore(async (r, _m, store) => {
          await createReservation(r, { line_item_id: "item_01A", location_id: LOC_A, inventory_item_id: store.shirtS, quantity: 2 }, "A")
          await createReservation(r, { line_item_id: "item_01B", location_id: LOC_B, inventory_item_id: store.mug, quantity: 1 }, "B")
          await createReservation(r, { line_item_id: "item_01Z", location_id: LOC_B, inventory_item_id: store.mug, quantity: 1 }, "another order")
          await r.call(site(25, "(no query)"), () =>
            r.service.listReservationItems({ line_item_id: ["item_01A", "item_01B", "item_01C"] }, orderReservationsListConfig())
          )
          await r.call(site(25, "?offset=1&limit=1"), () =>
            r.service.listReservationItems({ line_item_id: ["item_01A", "item_01B"] }, orderReservationsListConfig({ skip: 1, take: 1 }))
          )
        })
      )
    })
  })

  describe("checkout, fulfillment and order changes (ProductVariantInventoryService and its callers)", () => {
    /** The variants of the store: a shirt, a mug and a bundle of both (two inventory items). */
    const variantsOf = (s: Store) => ({
      shirt: [{ inventory_item_id: s.shirtS, required_quantity: 1 }],
      mug: [{ inventory_item_id: s.mug, required_quantity: 2 }],
      // The mug first: reserveQuantity picks the location from the first item's levels.
      bundle: [
        { inventory_item_id: s.mug, required_quantity: 1 },
        { inventory_item_id: s.shirtS, required_quantity: 1 },
      ],
      poster: [{ inventory_item_id: s.poster, required_quantity: 1 }],
    })

    /** cartService / cart completion: confirmInventory for each inventory item of the variant. */
    async function confirm(r: Replay, parts: VariantPart[], quantity: number, locations: string[], shape: string): Promise<void> {
      for (const part of parts) {
        await r.call(site(1, `${shape}: ${r.labeller.label(part.inventory_item_id)}`), () =>
          r.service.confirmInventory(part.inventory_item_id, locations, part.required_quantity * quantity)
        )
      }
    }

    it("cart completion: confirmInventory, then reserveQuantity for each line item in Medusa's transaction", async () => {
      await replay(
        withStore(async (r, m, store) => {
          const v = variantsOf(store)
          await confirm(r, v.shirt, 2, SALES_CHANNEL_LOCATIONS, "shirt x2")
          await confirm(r, v.bundle, 1, SALES_CHANNEL_LOCATIONS, "bundle x1")
          await confirm(r, v.mug, 6, SALES_CHANNEL_LOCATIONS, "mug x6, more than there is")
          await r.group("cart completion, tx", () =>
            m.transaction(async (manager) => {
              await reserveQuantity(r, manager, v.shirt, 2, { lineItemId: "item_01SHIRT", salesChannelLocations: SALES_CHANNEL_LOCATIONS }, "shirt x2")
              await reserveQuantity(r, manager, v.bundle, 1, { lineItemId: "item_01BUNDLE", salesChannelLocations: SALES_CHANNEL_LOCATIONS }, "bundle x1")
              await reserveQuantity(r, manager, v.mug, 1, { lineItemId: "item_01MUG", salesChannelLocations: [LOC_B] }, "mug x1 at the channel's B")
            })
          )
          await adminInventoryPage(r, "after the checkout")
          await r.call(site(14, "TSHIRT-S"), () => r.service.retrieveAvailableQuantity(store.shirtS, SALES_CHANNEL_LOCATIONS))
        })
      )
    })

    it("cart completion: a bundle not stocked where the first item is (two missing levels), then removeReservations", async () => {
      await replay(
        withStore(async (r, m, store) => {
          const v = variantsOf(store)
          // The shirt line item's reservation is made and committed first (swap and claim carts do the same).
          const [shirtReservation] = (await r.group("cart completion: first line item, tx", () =>
            m.transaction((manager) =>
              reserveQuantity(r, manager, v.shirt, 1, { lineItemId: "item_01SHIRT", salesChannelLocations: SALES_CHANNEL_LOCATIONS }, "shirt x1")
            )
          )) as { id: string }[]
          // A bundle of the poster (no level) and a second poster line: two inputs without a level.
          const posterTwice = [
            { inventory_item_id: store.poster, required_quantity: 1 },
            { inventory_item_id: store.poster, required_quantity: 2 },
          ]
          await r.attempt("cart completion: poster line, tx", () =>
            m.transaction((manager) => reserveQuantity(r, manager, posterTwice, 1, { lineItemId: "item_01POSTER", locationId: LOC_C }, "two inputs of one item without a level at C"))
          )
          const twoMissing = [
            { inventory_item_id: store.shirtM, required_quantity: 1 },
            { inventory_item_id: store.poster, required_quantity: 1 },
          ]
          await r.attempt(KEYS.failedCheckoutEvents, () =>
            m.transaction(async (manager) => {
              await reserveQuantity(r, manager, v.mug, 1, { lineItemId: "item_01MUG", salesChannelLocations: SALES_CHANNEL_LOCATIONS }, "mug x1 before the failure")
              await reserveQuantity(r, manager, twoMissing, 1, { lineItemId: "item_01BUNDLE2", locationId: LOC_B }, "two items without a level at B")
            })
          )
          // The strategy then deletes the reservations it had made, one by one, outside the transaction.
          await r.call(site(16, "the shirt's reservation"), () => r.service.deleteReservationItem(shirtReservation.id))
          await adminInventoryPage(r, "after the failed checkout")
        })
      )
    })

    it("reserveQuantity picks the first level listed at the sales channel's locations", async () => {
      await replay(
        withStore(async (r, m, store) => {
          const v = variantsOf(store)
          // An earlier update of the level at A (an admin stock change).
          await r.call(site(32, "MUG-1 at A"), () =>
            r.service.updateInventoryLevel(store.mug, LOC_A, instance(AdminPostInventoryItemsItemLocationLevelsLevelReq, { stocked_quantity: 9 }))
          )
          await r.group("cart completion after a stock change, tx", () =>
            m.transaction((manager) =>
              reserveQuantity(r, manager, v.mug, 1, { lineItemId: "item_01MUG", salesChannelLocations: SALES_CHANNEL_LOCATIONS }, "mug x1, its level at A updated before")
            )
          )
        })
      )
    })

    it("admin reservations for a line item and draft order payments: reserveQuantity with an explicit location, or none", async () => {
      await replay(
        withStore(async (r, m, store) => {
          const v = variantsOf(store)
          // POST /admin/draft-orders/:id/pay, the draft order's sales channel has locations: no transaction given.
          await reserveQuantity(r, m.manager, v.mug, 1, { lineItemId: "item_01DRAFT", salesChannelLocations: SALES_CHANNEL_LOCATIONS }, "draft order, manager")
          // POST /admin/orders/:id/line-items/:line_item_id/reserve { location_id }: no line item id is passed on.
          await r.group("reserve for a line item, tx", () =>
            m.transaction((manager) => reserveQuantity(r, manager, v.bundle, 2, { locationId: LOC_A }, "POST /admin/orders/:id/line-items/:line_item_id/reserve at A"))
          )
          // Same route without location_id: reserveQuantity passes location_id: undefined.
          await r.attempt(KEYS.reserveWithoutLocation, () =>
            m.transaction((manager) =>
              r.service.createReservationItems(
                [{ line_item_id: undefined, location_id: undefined, inventory_item_id: store.shirtS, quantity: 1 }],
                ctx(manager)
              )
            )
          )
          await adminInventoryPage(r, "after the reservations")
        })
      )
    })

    it("create fulfillment: validateInventoryAtLocation, adjustReservationsQuantityByLineItem and adjustInventory in Medusa's transaction; then cancel it", async () => {
      await replay(
        withStore(async (r, m, store) => {
          const v = variantsOf(store)
          await r.group("order placed, tx", () =>
            m.transaction(async (manager) => {
              await reserveQuantity(r, manager, v.shirt, 3, { lineItemId: "item_01SHIRT", locationId: LOC_A }, "shirt x3 at A")
              await reserveQuantity(r, manager, v.mug, 2, { lineItemId: "item_01MUG", locationId: LOC_A }, "mug x2 at A")
            })
          )
          // A second reservation for the shirt line, made later (admin).
          await r.call(site(22, "shirt line, 1 more at B"), () =>
            r.service.createReservationItem({ ...instance(AdminPostReservationsReq, { line_item_id: "item_01SHIRT", location_id: LOC_B, inventory_item_id: store.shirtS, quantity: 1 }), created_by: ADMIN })
          )
          const fulfil = (items: { lineItemId: string; parts: VariantPart[]; quantity: number; title: string }[], location: string, shape: string) =>
            r.group(`create fulfillment ${shape}, tx`, () =>
              m.transaction(async (manager) => {
                for (const item of items) {
                  await r.call(site(10, `${shape}: ${item.title}`), () =>
                    r.service.listInventoryLevels(
                      { inventory_item_id: item.parts.map((p) => p.inventory_item_id), location_id: location },
                      undefined,
                      ctx(manager)
                    ),
                    { unordered: true }
                  )
                }
                for (const item of items) {
                  await adjustReservationsByLineItem(r, manager, item.lineItemId, item.parts[0], location, item.quantity, `${shape}: ${item.title}`)
                  for (const part of item.parts) {
                    await r.call(site(12, `${shape}: ${item.title}`), () =>
                      r.service.adjustInventory(part.inventory_item_id, location, -part.required_quantity * item.quantity, ctx(manager))
                    )
                  }
                }
              })
            )
          // Mug: exactly its reservation (2 x 2 = 4 at A) is deleted alone.
          await fulfil([{ lineItemId: "item_01MUG", parts: v.mug, quantity: 2, title: "mug x2" }], LOC_A, "mug at A")
          // Shirt: 2 of the 3 at A; the reservation is reduced.
          await fulfil([{ lineItemId: "item_01SHIRT", parts: v.shirt, quantity: 2, title: "shirt x2" }], LOC_A, "shirt x2 at A")
          // Shirt: 2 more at B: the 1 at B is deleted, the rest taken from A's.
          await fulfil([{ lineItemId: "item_01SHIRT", parts: v.shirt, quantity: 2, title: "shirt x2" }], LOC_B, "shirt x2 at B")
          await adminInventoryPage(r, "after the fulfillments")
          // POST /admin/orders/:id/fulfillments/:id/cancel: stock goes back (PVIS passes its manager, outside a transaction).
          await r.call(site(12, "cancel fulfillment: mug x2 back at A"), () => r.service.adjustInventory(store.mug, LOC_A, 4, ctx(m.manager)))
          await r.attempt(site(12, "no level at C"), () => r.service.adjustInventory(store.mug, LOC_C, 1, ctx(m.manager)))
          await r.call(site(10, "item without a level at C"), () =>
            r.service.listInventoryLevels({ inventory_item_id: [store.poster], location_id: LOC_C }, undefined, ctx(m.manager))
          )
          await adminInventoryPage(r, "after the cancel")
        })
      )
    })

    it("order cancel and order edit confirm: deleteReservationItemsByLineItem in Medusa's transaction", async () => {
      await replay(
        withStore(async (r, m, store) => {
          const v = variantsOf(store)
          await r.group("order placed, tx", () =>
            m.transaction(async (manager) => {
              await reserveQuantity(r, manager, v.shirt, 1, { lineItemId: "item_01A", locationId: LOC_A }, "shirt")
              await reserveQuantity(r, manager, v.bundle, 1, { lineItemId: "item_01B", locationId: LOC_B }, "bundle")
              await reserveQuantity(r, manager, v.mug, 1, { lineItemId: "item_01C", locationId: LOC_A }, "mug")
            })
          )
          // OrderService.cancel → deleteReservationsByLineItem(item.id, variant, quantity), per item.
          await r.group("order cancel, tx", () =>
            m.transaction(async (manager) => {
              await r.call(site(11, "item_01A"), () => r.service.deleteReservationItemsByLineItem(["item_01A"], ctx(manager)))
              await r.call(site(11, "line item without reservations"), () => r.service.deleteReservationItemsByLineItem(["item_01NONE"], ctx(manager)))
            })
          )
          // OrderEditService.confirm: the original items' reservations.
          await r.group("order edit confirm, tx", () =>
            m.transaction(async (manager) => {
              await r.call(site(15, "two line items"), () => r.service.deleteReservationItemsByLineItem(["item_01B", "item_01C"], ctx(manager)))
              await r.call(site(15, "no original items"), () => r.service.deleteReservationItemsByLineItem([], ctx(manager)))
            })
          )
          await adminInventoryPage(r, "after cancel and edit")
        })
      )
    })

    it("order cancel for a line item with more than 10 reservations", async () => {
      await replay(
        withStore(async (r, m, store) => {
          // POST /admin/reservations, twelve times for one line item (the admin splits it up).
          for (let i = 1; i <= 12; i++) {
            await r.call(site(22, `item_01MANY, reservation ${i}`), () =>
              r.service.createReservationItem({ ...instance(AdminPostReservationsReq, { line_item_id: "item_01MANY", location_id: LOC_A, inventory_item_id: store.shirtS, quantity: 1 }), created_by: ADMIN })
            )
          }
          await r.group("order cancel, tx", () =>
            m.transaction((manager) => r.call(site(11, "item_01MANY"), () => r.service.deleteReservationItemsByLineItem(["item_01MANY"], ctx(manager))))
          )
          await r.call(site(17, "item_01MANY after the cancel"), () =>
            r.service.listReservationItems({ line_item_id: ["item_01MANY"] }, reservationsListConfig(), ctx(m.manager))
          )
          await r.call(KEYS.reservedAfterManyDeleted, () => r.service.retrieveReservedQuantity(store.shirtS, [LOC_A]))
        })
      )
    })

    it("availability: setVariantAvailability / setProductAvailability, the variant inventory route, attachInventoryItem", async () => {
      await replay(
        withStore(async (r, m, store) => {
          const v = variantsOf(store)
          await r.call(site(22, "a reservation at A"), () =>
            r.service.createReservationItem({ ...instance(AdminPostReservationsReq, { location_id: LOC_A, inventory_item_id: store.mug, quantity: 3 }), created_by: ADMIN })
          )
          // Store product and cart routes: getAvailabilityContext, outside any transaction.
          const itemIds = [...new Set([...v.shirt, ...v.mug, ...v.bundle, ...v.poster].map((p) => p.inventory_item_id))]
          await r.call(site(13, "the channel's locations, manager"), () =>
            r.service.listInventoryLevels({ location_id: SALES_CHANNEL_LOCATIONS, inventory_item_id: itemIds }, {}, ctx(m.manager)),
            { unordered: true }
          )
          await r.call(site(13, "one location, in a tx"), () =>
            m.transaction((manager) => r.service.listInventoryLevels({ location_id: [LOC_B], inventory_item_id: [store.mug] }, {}, ctx(manager))),
            { unordered: true }
          )
          // GET /admin/variants/:id/inventory: the variant's items, their levels, and per sales channel the quantity.
          await r.call(site(2, "bundle"), () => r.service.listInventoryItems({ id: v.bundle.map((p) => p.inventory_item_id) }), { unordered: true })
          await r.call(site(2, "variant without inventory items"), () => r.service.listInventoryItems({ id: [] }))
          await joinLevels(r, v.bundle.map((p) => p.inventory_item_id), [], "GET /admin/variants/:id/inventory")
          await r.call(site(14, "MUG-1, the channel's locations"), () => r.service.retrieveAvailableQuantity(store.mug, SALES_CHANNEL_LOCATIONS))
          await r.call(site(14, "MUG-1, a channel without locations"), () => r.service.retrieveAvailableQuantity(store.mug, []))
          await r.attempt(KEYS.posterQuantity, () => r.service.retrieveAvailableQuantity(store.poster, SALES_CHANNEL_LOCATIONS))
          await r.attempt(site(14, "unknown item"), () => r.service.retrieveAvailableQuantity("iitem_01UNKNOWN", SALES_CHANNEL_LOCATIONS))
          await r.attempt(KEYS.posterConfirm, () => r.service.confirmInventory(store.poster, SALES_CHANNEL_LOCATIONS, 1))
          // POST /admin/inventory-items (variant_id) and product imports: attachInventoryItem checks the items exist.
          await r.call(site(3, "existing items, tx"), () =>
            m.transaction((manager) => r.service.listInventoryItems({ id: [store.mug, store.poster] }, { select: ["id"] }, ctx(manager))),
            { unordered: true }
          )
          await r.call(site(3, "one unknown item, manager"), () =>
            r.service.listInventoryItems({ id: [store.mug, "iitem_01UNKNOWN"] }, { select: ["id"] }, ctx(m.manager))
          )
        })
      )
    })
  })

  describe("stock locations, product creation rollback and the inventory item workflow", () => {
    it("DELETE /admin/stock-locations/:id: levels and reservations at the location, both calls at once", async () => {
      await replay(
        withStore(async (r, m, store) => {
          await r.call(site(22, "MUG-1 at B"), () =>
            r.service.createReservationItem({ ...instance(AdminPostReservationsReq, { line_item_id: "item_01B", location_id: LOC_B, inventory_item_id: store.mug, quantity: 1 }), created_by: ADMIN })
          )
          await r.call(site(22, "MUG-1 at A"), () =>
            r.service.createReservationItem({ ...instance(AdminPostReservationsReq, { line_item_id: "item_01A", location_id: LOC_A, inventory_item_id: store.mug, quantity: 2 }), created_by: ADMIN })
          )
          await r.group(
            "DELETE /admin/stock-locations/B, inside Medusa's tx",
            () =>
              m.transaction(() =>
                Promise.all([
                  r.call(site(41, "B"), () => r.service.deleteInventoryItemLevelByLocationId(LOC_B)),
                  r.call(site(42, "B"), () => r.service.deleteReservationItemByLocationId(LOC_B)),
                ])
              ),
            { unorderedEvents: true }
          )
          await r.call(site(17, "after the location is gone"), () => r.service.listReservationItems({}, reservationsListConfig(), ctx(m.manager)))
          await adminInventoryPage(r, "after the location is gone")
        })
      )
    })

    it("POST /admin/inventory-items/:id/location-levels where a level was deleted before (README: a deleted level can be created again)", async () => {
      const mugAtB = site(30, "MUG-1 at B again")
      const shirtAtA = site(30, "TSHIRT-M at A again")
      await replayDifferent(
        README.recreate,
        withStore(async (r, m, store) => {
          await r.call(site(22, "MUG-1 at B"), () =>
            r.service.createReservationItem({ ...instance(AdminPostReservationsReq, { line_item_id: "item_01B", location_id: LOC_B, inventory_item_id: store.mug, quantity: 1 }), created_by: ADMIN })
          )
          await r.group("DELETE /admin/stock-locations/B, inside Medusa's tx", () =>
            m.transaction(() =>
              Promise.all([r.service.deleteInventoryItemLevelByLocationId(LOC_B), r.service.deleteReservationItemByLocationId(LOC_B)])
            ),
            { unorderedEvents: true }
          )
          await r.attempt(mugAtB, () =>
            r.service.createInventoryLevel({ inventory_item_id: store.mug, location_id: LOC_B, stocked_quantity: 1, incoming_quantity: undefined })
          )
          // The same after DELETE /admin/inventory-items/:id/location-levels/:location_id.
          await r.call(site(34, "TSHIRT-M at A"), () => r.service.retrieveReservedQuantity(store.shirtM, [LOC_A]))
          await r.call(site(35, "TSHIRT-M at A"), () => r.service.deleteInventoryLevel(store.shirtM, LOC_A))
          await r.attempt(shirtAtA, () =>
            r.service.createInventoryLevel({ inventory_item_id: store.shirtM, location_id: LOC_A, stocked_quantity: 4, incoming_quantity: undefined })
          )
        }),
        (official, ours) => {
          // The official module's stores keep its full unique index: Medusa answers 422.
          expect(stepOf(official, mugAtB).outcome.error).toEqual({
            type: "duplicate_error",
            message: `Inventory_level with inventory_item_id, location_id iitem#3, ${LOC_B} already exists.`,
          })
          expect(stepOf(official, shirtAtA).outcome.error?.type).toBe("duplicate_error")
          // Ours makes them again; the reservation at B was deleted with its location, so nothing is reserved there.
          expect(stepOf(ours, mugAtB).outcome).toMatchObject({
            ok: true,
            value: { inventory_item_id: "iitem#3", location_id: LOC_B, stocked_quantity: 1, reserved_quantity: 0 },
          })
          expect(stepOf(ours, shirtAtA).outcome).toMatchObject({
            ok: true,
            value: { inventory_item_id: "iitem#2", location_id: LOC_A, stocked_quantity: 4, reserved_quantity: 0 },
          })
        }
      )
    })

    it("DELETE /admin/stock-locations/:id for a location without levels or reservations", async () => {
      await replay(
        withStore(async (r) => {
          await r.call(site(41, "a location without levels"), () => r.service.deleteInventoryItemLevelByLocationId(LOC_C))
          await r.call(site(42, "a location without reservations"), () => r.service.deleteReservationItemByLocationId(LOC_C))
          await adminInventoryPage(r, "after deleting C")
        })
      )
    })

    it("POST /admin/products failing after the inventory items: removeInventoryItems in the transaction", async () => {
      await replay(async (r, m) => {
        await r.attempt(KEYS.rolledBackProduct, () =>
          m.transaction(async (manager) => {
            const made = await Promise.all(
              ["CAP-S", "CAP-M"].map((sku) =>
                r.call(site(43, `${sku}, ctx tx`), () => r.service.createInventoryItem({ sku, weight: 80 }, ctx(manager)))
              )
            )
            await Promise.all(made.map((item, i) => r.call(site(44, `item ${i + 1}, ctx tx`), () => r.service.deleteInventoryItem(item.id, ctx(manager)))))
            throw new Error("variant creation failed")
          })
        )
        await r.call(site(26, "after the rollback"), () => r.service.listInventoryItems({}, inventoryItemsListConfig()))
        // The same, committed: the items are created and then deleted by the compensation.
        await r.group("create product, tx, compensated", () =>
          m.transaction(async (manager) => {
            const item = await r.call(site(43, "HAT, ctx tx"), () => r.service.createInventoryItem({ sku: "HAT", weight: null }, ctx(manager)))
            await r.call(site(44, "HAT, ctx tx"), () => r.service.deleteInventoryItem(item.id, ctx(manager)))
          })
        )
        await r.call(site(26, "after the compensation"), () => r.service.listInventoryItems({}, inventoryItemsListConfig()))
      })
    })

    it("POST /admin/inventory-items: the workflow's item creation and its compensation", async () => {
      await replay(async (r) => {
        const body = instance(AdminPostInventoryItemsReq, { variant_id: "variant_01X", sku: "SCARF", hs_code: "611710", weight: 90, title: "Scarf", requires_shipping: true }) as Record<string, any>
        const item = await r.call(site(47, "SCARF, title and requires_shipping dropped by the handler"), () =>
          r.service.createInventoryItem({
            sku: body.sku,
            origin_country: body.origin_country,
            hs_code: body.hs_code,
            mid_code: body.mid_code,
            material: body.material,
            weight: body.weight,
            length: body.length,
            height: body.height,
            width: body.width,
          })
        )
        // Attaching to the variant failed: the compensation deletes the created items.
        await r.call(site(48, "[SCARF]"), () => r.service.deleteInventoryItem([item.id]))
        await r.call(site(26, "after the compensation"), () => r.service.listInventoryItems({}, inventoryItemsListConfig()))
        await r.attempt(site(27, "compensated item"), () => r.service.retrieveInventoryItem(item.id, inventoryItemRetrieveConfig()))
      })
    })
  })

  describe("arguments Medusa's callers leave out (DESIGN §1, lenient inputs)", () => {
    it("list methods without selector, config or context; a single location id; multi-row errors", async () => {
      await replay(
        withStore(async (r, _m, store) => {
          await r.attempt("listInventoryItems()", () => r.service.listInventoryItems(), { unordered: true })
          await r.attempt("listInventoryLevels()", () => r.service.listInventoryLevels(), { unordered: true })
          await r.attempt("listReservationItems()", () => r.service.listReservationItems(), { unordered: true })
          await r.attempt("listInventoryLevels({ inventory_item_id }) without config", () => r.service.listInventoryLevels({ inventory_item_id: store.mug }), { unordered: true })
          await r.attempt("retrieveInventoryItem(id) without config", () => r.service.retrieveInventoryItem(store.mug))
          await r.attempt("retrieveAvailableQuantity(id, 'A') with one location as a string", () => r.service.retrieveAvailableQuantity(store.mug, LOC_A))
          await r.attempt("createReservationItems: two inputs of one item, neither stocked at C", () =>
            r.service.createReservationItems([
              { inventory_item_id: store.mug, location_id: LOC_C, quantity: 1 },
              { inventory_item_id: store.mug, location_id: LOC_C, quantity: 2 },
            ])
          )
          await r.attempt("createReservationItems: one stocked input between two that are not", () =>
            r.service.createReservationItems([
              { inventory_item_id: store.poster, location_id: LOC_A, quantity: 1 },
              { inventory_item_id: store.mug, location_id: LOC_A, quantity: 1 },
              { inventory_item_id: store.shirtM, location_id: LOC_B, quantity: 1 },
            ])
          )
        })
      )
    })
  })

  // Keeps the header, SITES and ALLOWED honest: this test runs last.
  it("replays every call site listed in the header and uses every allowance", () => {
    const sites = Object.keys(SITES).map(Number)
    expect(sites).toHaveLength(48)
    expect(sites.filter((n) => !replayedSites.has(n))).toEqual([])
    expect(Object.keys(ALLOWED).filter((key) => !usedAllowances.has(key))).toEqual([])
  })
})
