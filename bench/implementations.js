// The contenders of the benchmark, behind one interface:
// - ours: this package as built (dist/), over its own TypeORM DataSource, default options;
// - ours-unnamed: the same with `preparedStatements: false`: no named statements, as the default
//   does behind a transaction-mode pooler (PgBouncer), where a checkout's statements run as server functions;
// - ours-noledger: the same with `ledger: false` (no stock movements written: what the ledger costs);
// - official: @medusajs/inventory@1.11.7 over a DataSource of its own schema and models;
// - raw: hand-written SQL over `pg`, doing the same work as the module calls with no layer.
require("reflect-metadata")
const path = require("path")
const { Pool } = require("pg")
const { DataSource } = require("typeorm")

const ours = require(path.resolve(__dirname, "../dist/src"))

const POOL_SIZE = 20

/** This module with `options` (the defaults for "ours"); `build` is another build of it (the "base" contender). */
function oursWith(name, options = {}, build = () => ours) {
  return async function oursImplementation(url) {
    const ours = build()
    const dataSource = new DataSource({
      type: "postgres",
      url,
      entities: ours.default.models,
      extra: { max: POOL_SIZE },
    })
    await dataSource.initialize()
    const service = new ours.InventoryService({ manager: dataSource.manager }, options)
    return serviceImplementation(name, service, () => dataSource.destroy())
  }
}

async function officialImplementation(url) {
  const models = require("@medusajs/inventory/dist/models")
  const services = require("@medusajs/inventory/dist/services")
  const dataSource = new DataSource({ type: "postgres", url, entities: Object.values(models), extra: { max: POOL_SIZE } })
  await dataSource.initialize()
  const cradle = { manager: dataSource.manager }
  cradle.inventoryItemService = new services.InventoryItemService(cradle)
  cradle.inventoryLevelService = new services.InventoryLevelService(cradle)
  cradle.reservationItemService = new services.ReservationItemService(cradle)
  const service = new services.InventoryService(cradle, {}, undefined)
  return serviceImplementation("official", service, () => dataSource.destroy())
}

/** Both modules expose IInventoryService; the workloads call it the way Medusa does. */
function serviceImplementation(name, service, close) {
  return {
    name,
    close,
    createItems: (rows) => service.createInventoryItems(rows),
    createLevels: (rows) => service.createInventoryLevels(rows),
    updateLevels: (rows) => service.updateInventoryLevels(rows),
    async checkout(itemId, locationId, lineItemId) {
      if (!(await service.confirmInventory(itemId, [locationId], 1))) throw new Error("no stock")
      await service.createReservationItem({ inventory_item_id: itemId, location_id: locationId, quantity: 1, line_item_id: lineItemId })
    },
    listQ: (q, skip, take) => service.listInventoryItems({ q }, { skip, take }),
    listLocation: (locationId, skip, take) => service.listInventoryItems({ location_id: locationId }, { skip, take }),
    listSkus: (skus) => service.listInventoryItems({ sku: skus }, { skip: 0, take: skus.length }),
    listSku: (sku, take) => service.listInventoryItems({ sku }, { skip: 0, take }),
    listLevels: (locationId, skip, take) => service.listInventoryLevels({ location_id: locationId }, { skip, take }),
    available: (itemId, locationIds) => service.retrieveAvailableQuantity(itemId, locationIds),
  }
}

const ITEM_COLUMNS =
  "id, sku, origin_country, hs_code, mid_code, material, weight, length, height, width, requires_shipping, title, description, thumbnail, metadata"

async function rawImplementation(url) {
  const pool = new Pool({ connectionString: url, max: POOL_SIZE })
  // The same id maker as the module (monotonic ULIDs from pooled random bytes), so ids cost both alike.
  const { nextUlid } = require(path.resolve(__dirname, "../dist/src/utils/ids"))
  const id = (prefix) => `${prefix}_${nextUlid()}`
  // Fixed statements are named, so each connection plans them once (as the module does).
  const named = (name, text, values) => pool.query({ name, text, values })
  const col = (rows, key, fallback = null) => rows.map((r) => (r[key] === undefined ? fallback : r[key]))
  return {
    name: "raw",
    close: () => pool.end(),
    async createItems(rows) {
      const { rows: out } = await named(
        "raw_insert_items",
        `INSERT INTO inventory_item (${ITEM_COLUMNS})
         SELECT * FROM unnest($1::varchar[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[],
           $8::int[], $9::int[], $10::int[], $11::boolean[], $12::varchar[], $13::varchar[], $14::varchar[], $15::jsonb[])
         RETURNING *`,
        [
          rows.map(() => id("iitem")), col(rows, "sku"), col(rows, "origin_country"), col(rows, "hs_code"),
          col(rows, "mid_code"), col(rows, "material"), col(rows, "weight"), col(rows, "length"), col(rows, "height"),
          col(rows, "width"), col(rows, "requires_shipping", true), col(rows, "title"), col(rows, "description"),
          col(rows, "thumbnail"), rows.map((r) => (r.metadata == null ? null : JSON.stringify(r.metadata))),
        ]
      )
      return out
    },
    async createLevels(rows) {
      const { rows: out } = await named(
        "raw_insert_levels",
        `INSERT INTO inventory_level (id, inventory_item_id, location_id, stocked_quantity, reserved_quantity, incoming_quantity)
         SELECT * FROM unnest($1::varchar[], $2::text[], $3::text[], $4::int[], $5::int[], $6::int[]) RETURNING *`,
        [
          rows.map(() => id("ilev")), col(rows, "inventory_item_id"), col(rows, "location_id"),
          col(rows, "stocked_quantity", 0), col(rows, "reserved_quantity", 0), col(rows, "incoming_quantity", 0),
        ]
      )
      return out
    },
    async updateLevels(rows) {
      const { rows: out } = await named(
        "raw_update_levels",
        `UPDATE inventory_level l
            SET stocked_quantity = COALESCE(u.stocked, l.stocked_quantity),
                incoming_quantity = COALESCE(u.incoming, l.incoming_quantity), updated_at = now()
           FROM unnest($1::text[], $2::text[], $3::int[], $4::int[]) AS u(item, loc, stocked, incoming)
          WHERE l.inventory_item_id = u.item AND l.location_id = u.loc AND l.deleted_at IS NULL
         RETURNING l.*`,
        [col(rows, "inventory_item_id"), col(rows, "location_id"), col(rows, "stocked_quantity"), col(rows, "incoming_quantity")]
      )
      return out
    },
    async checkout(itemId, locationId, lineItemId) {
      const { rows } = await named(
        "raw_confirm",
        `SELECT COALESCE(sum(stocked_quantity - reserved_quantity), 0) >= 1 AS ok FROM inventory_level
          WHERE inventory_item_id = $1 AND location_id = $2 AND deleted_at IS NULL`,
        [itemId, locationId]
      )
      if (!rows[0].ok) throw new Error("no stock")
      await named(
        "raw_reserve",
        `WITH level AS (
           UPDATE inventory_level SET reserved_quantity = reserved_quantity + 1, updated_at = now()
            WHERE inventory_item_id = $2 AND location_id = $3 AND deleted_at IS NULL RETURNING id)
         INSERT INTO reservation_item (id, inventory_item_id, location_id, quantity, line_item_id)
         SELECT $1, $2, $3, 1, $4 FROM level RETURNING *`,
        [id("resitem"), itemId, locationId, lineItemId]
      )
    },
    listQ: (q, skip, take) =>
      pool.query(
        `SELECT *, count(*) OVER () AS total FROM inventory_item
          WHERE deleted_at IS NULL AND inventory_item_search_text(sku, title, description) ILIKE $1
          ORDER BY id LIMIT $2 OFFSET $3`,
        [`%${q}%`, take, skip]
      ),
    listLocation: (locationId, skip, take) =>
      pool.query(
        `SELECT i.*, count(*) OVER () AS total FROM inventory_item i
          WHERE i.deleted_at IS NULL AND EXISTS (
            SELECT 1 FROM inventory_level l WHERE l.inventory_item_id = i.id AND l.location_id = $1 AND l.deleted_at IS NULL)
          ORDER BY i.id LIMIT $2 OFFSET $3`,
        [locationId, take, skip]
      ),
    listSku: (sku, take) =>
      pool.query(
        `SELECT *, count(*) OVER () AS total FROM inventory_item WHERE deleted_at IS NULL AND sku = $1 ORDER BY id LIMIT $2`,
        [sku, take]
      ),
    listLevels: (locationId, skip, take) =>
      pool.query(
        `SELECT *, count(*) OVER () AS total FROM inventory_level
          WHERE location_id = $1 AND deleted_at IS NULL ORDER BY id LIMIT $2 OFFSET $3`,
        [locationId, take, skip]
      ),
    listSkus: (skus) =>
      pool.query(
        `SELECT *, count(*) OVER () AS total FROM inventory_item WHERE deleted_at IS NULL AND sku = ANY($1) ORDER BY id LIMIT $2`,
        [skus, skus.length]
      ),
    async available(itemId, locationIds) {
      const { rows } = await named(
        "raw_available",
        `SELECT EXISTS (SELECT 1 FROM inventory_item WHERE id = $1 AND deleted_at IS NULL) AS found,
                (SELECT COALESCE(sum(stocked_quantity - reserved_quantity), 0) FROM inventory_level
                  WHERE inventory_item_id = $1 AND location_id = ANY($2) AND deleted_at IS NULL) AS quantity`,
        [itemId, locationIds]
      )
      if (!rows[0].found) throw new Error("not found")
      return Number(rows[0].quantity)
    },
  }
}

module.exports = {
  implementations: {
    ours: oursWith("ours"),
    // What the default ("auto") does behind a pooler: names nothing.
    "ours-unnamed": oursWith("ours-unnamed", { preparedStatements: false }),
    "ours-noledger": oursWith("ours-noledger", { ledger: false }),
    // Another build of this module, for an A/B in one run: BENCH_BASE_DIST=/path/to/its/dist/src
    // (a build of an earlier commit inside this checkout's node_modules, so that it finds its dependencies).
    base: oursWith("base", {}, () => require(path.resolve(process.env.BENCH_BASE_DIST || "BENCH_BASE_DIST is unset"))),
    official: officialImplementation,
    raw: rawImplementation,
  },
  runOurMigrations: (url) => ours.runMigrations({ options: { database: { url } } }),
  runBaseMigrations: (url) => require(path.resolve(process.env.BENCH_BASE_DIST)).runMigrations({ options: { database: { url } } }),
}
