import type { MigrationInterface, QueryRunner } from "typeorm"
import { encodeTime } from "../src/utils/ids"

/**
 * Warehouse operations: units set aside per level and state (three columns of
 * `inventory_level`, 0 by default), transfers between locations (`inventory_transfer`), and the
 * ledger columns that record both, with `incoming_quantity` now moving through the ledger (I6).
 *
 * Everything added is this module's own: `@medusajs/inventory` never reads the new columns (its
 * entity does not declare them, and their defaults serve its inserts) or the new table, so a
 * store can swap back. Adding a column with a constant default rewrites no row (PostgreSQL 11+).
 * Every live level whose incoming_quantity is not 0 gets an `opening` movement carrying it, so
 * that the ledger balances from here on.
 */
export class inventoryWarehouseOperations1796169600000 implements MigrationInterface {
  name = "inventoryWarehouseOperations1796169600000"

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const column of ["damaged_quantity", "quality_control_quantity", "safety_stock_quantity"]) {
      await queryRunner.query(`ALTER TABLE "inventory_level" ADD COLUMN IF NOT EXISTS "${column}" integer NOT NULL DEFAULT 0`)
    }
    for (const column of ["incoming_delta", "damaged_delta", "quality_control_delta", "safety_stock_delta"]) {
      await queryRunner.query(`ALTER TABLE "inventory_movement" ADD COLUMN IF NOT EXISTS "${column}" bigint NOT NULL DEFAULT 0`)
    }
    await queryRunner.query(`ALTER TABLE "inventory_movement" ADD COLUMN IF NOT EXISTS "state" text`)
    await queryRunner.query(`ALTER TABLE "inventory_movement" ADD COLUMN IF NOT EXISTS "transfer_id" text`)
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "IDX_inventory_movement_transfer_id" ON "inventory_movement" ("transfer_id") WHERE transfer_id IS NOT NULL`
    )
    // The log across all items, newest first (the Stock page's movement log).
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS "IDX_inventory_movement_created" ON "inventory_movement" ("created_at")`)
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS "inventory_transfer" (
        "id" character varying NOT NULL,
        "inventory_item_id" text NOT NULL,
        "from_location_id" text NOT NULL,
        "to_location_id" text NOT NULL,
        "quantity" integer NOT NULL,
        "status" text NOT NULL,
        "received_quantity" integer,
        "lost_quantity" integer,
        "reference" text,
        "actor" text,
        "idempotency_key" text,
        "metadata" jsonb,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "received_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "PK_inventory_transfer_id" PRIMARY KEY ("id"),
        CONSTRAINT "CHK_inventory_transfer_quantity" CHECK ("quantity" > 0),
        CONSTRAINT "CHK_inventory_transfer_status" CHECK ("status" IN ('in_transit', 'received'))
      )`)
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "IDX_inventory_transfer_open" ON "inventory_transfer" ("created_at") WHERE status = 'in_transit'`
    )
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS "IDX_inventory_transfer_item" ON "inventory_transfer" ("inventory_item_id")`)
    await queryRunner.query(
      `INSERT INTO inventory_movement (id, inventory_item_id, location_id, incoming_delta, stocked_after, reserved_after, reason)
       SELECT $1::text || lpad(to_hex(row_number() OVER (ORDER BY l.id)), 16, '0'),
              l.inventory_item_id, l.location_id, l.incoming_quantity, l.stocked_quantity, l.reserved_quantity, 'opening'
         FROM inventory_level l
        WHERE l.deleted_at IS NULL AND l.incoming_quantity <> 0`,
      [`imov_${encodeTime(Date.now())}`]
    )
  }

  /**
   * Refused while units are set aside or transfers are in transit: dropping them would lose
   * track of real units. Release them (`releaseSetAside`) and receive the transfers first.
   */
  async down(queryRunner: QueryRunner): Promise<void> {
    const [held] = await queryRunner.query(
      `SELECT (SELECT count(*) FROM inventory_level
                WHERE deleted_at IS NULL AND (damaged_quantity <> 0 OR quality_control_quantity <> 0 OR safety_stock_quantity <> 0))::int AS levels,
              (SELECT count(*) FROM inventory_transfer WHERE status = 'in_transit')::int AS transfers`
    )
    if (held.levels > 0 || held.transfers > 0) {
      throw new Error(
        `Cannot revert the warehouse operations migration: ${held.levels} level(s) hold units set aside and ` +
          `${held.transfers} transfer(s) are in transit. Release the units and receive the transfers first.`
      )
    }
    await queryRunner.query(`DROP TABLE IF EXISTS "inventory_transfer"`)
    await queryRunner.query(`DROP INDEX IF EXISTS "IDX_inventory_movement_created"`)
    await queryRunner.query(`DROP INDEX IF EXISTS "IDX_inventory_movement_transfer_id"`)
    for (const column of ["transfer_id", "state", "safety_stock_delta", "quality_control_delta", "damaged_delta", "incoming_delta"]) {
      await queryRunner.query(`ALTER TABLE "inventory_movement" DROP COLUMN IF EXISTS "${column}"`)
    }
    for (const column of ["safety_stock_quantity", "quality_control_quantity", "damaged_quantity"]) {
      await queryRunner.query(`ALTER TABLE "inventory_level" DROP COLUMN IF EXISTS "${column}"`)
    }
  }
}
