import type { MigrationInterface, QueryRunner } from "typeorm"
import { encodeTime } from "../src/utils/ids"

/**
 * The stock ledger (`inventory_movement`), the keys of idempotent ledger calls, and
 * reservation expiry. Tables and a column of this module only: `@medusajs/inventory` never
 * reads them, so a store can swap back. Every live level gets an `opening` movement with its
 * quantities as they are, so the ledger balances (I6) from here on.
 */
export class inventoryStockLedger1733011200000 implements MigrationInterface {
  name = "inventoryStockLedger1733011200000"

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS "inventory_movement" (
        "id" character varying NOT NULL,
        "inventory_item_id" text NOT NULL,
        "location_id" text NOT NULL,
        "stocked_delta" bigint NOT NULL DEFAULT 0,
        "reserved_delta" bigint NOT NULL DEFAULT 0,
        "stocked_after" integer NOT NULL,
        "reserved_after" integer NOT NULL,
        "reason" text NOT NULL,
        "reference" text,
        "actor" text,
        "reservation_item_id" text,
        "idempotency_key" text,
        "metadata" jsonb,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT "PK_inventory_movement_id" PRIMARY KEY ("id")
      )`)
    // The history of a level (or an item), newest first; the only index every write maintains.
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "IDX_inventory_movement_item_location_created" ON "inventory_movement" ("inventory_item_id", "location_id", "created_at")`
    )
    // Partial: rows without a key (nearly all of them) cost nothing here.
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "IDX_inventory_movement_idempotency_key" ON "inventory_movement" ("idempotency_key") WHERE idempotency_key IS NOT NULL`
    )
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS "inventory_idempotency_key" (
        "key" text NOT NULL,
        "request_hash" text NOT NULL,
        "response" jsonb,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_inventory_idempotency_key" PRIMARY KEY ("key")
      )`)
    await queryRunner.query(`ALTER TABLE "reservation_item" ADD COLUMN IF NOT EXISTS "expires_at" TIMESTAMP WITH TIME ZONE`)
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "IDX_reservation_item_expires_at" ON "reservation_item" ("expires_at") WHERE deleted_at IS NULL AND expires_at IS NOT NULL`
    )
    // One opening movement per live level that has none yet (the migration may run again
    // after a swap back and forth: levels that already have a history keep it).
    await queryRunner.query(
      `INSERT INTO inventory_movement (id, inventory_item_id, location_id, stocked_delta, reserved_delta, stocked_after, reserved_after, reason)
       SELECT $1::text || lpad(to_hex(row_number() OVER (ORDER BY l.id)), 16, '0'),
              l.inventory_item_id, l.location_id, l.stocked_quantity, l.reserved_quantity, l.stocked_quantity, l.reserved_quantity, 'opening'
         FROM inventory_level l
        WHERE l.deleted_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM inventory_movement m WHERE m.inventory_item_id = l.inventory_item_id AND m.location_id = l.location_id)`,
      [`imov_${encodeTime(Date.now())}`]
    )
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS "IDX_reservation_item_expires_at"`)
    await queryRunner.query(`ALTER TABLE "reservation_item" DROP COLUMN IF EXISTS "expires_at"`)
    await queryRunner.query(`DROP TABLE IF EXISTS "inventory_idempotency_key"`)
    await queryRunner.query(`DROP TABLE IF EXISTS "inventory_movement"`)
  }
}
