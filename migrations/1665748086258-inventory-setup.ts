import type { MigrationInterface, QueryRunner } from "typeorm"

/**
 * The base schema. Its name matches the official module's first migration so a database
 * that already ran `@medusajs/inventory` skips it; every statement is also guarded
 * (`IF NOT EXISTS`), so running it against such a database by another route is a no-op.
 */
export class inventorySetup1665748086258 implements MigrationInterface {
  name = "inventorySetup1665748086258"

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS "inventory_item" (
        "id" character varying NOT NULL,
        "created_at" timestamp with time zone NOT NULL DEFAULT now(),
        "updated_at" timestamp with time zone NOT NULL DEFAULT now(),
        "deleted_at" timestamp with time zone,
        "sku" text,
        "origin_country" text,
        "hs_code" text,
        "mid_code" text,
        "material" text,
        "weight" integer,
        "length" integer,
        "height" integer,
        "width" integer,
        "requires_shipping" boolean NOT NULL DEFAULT true,
        "metadata" jsonb,
        CONSTRAINT "PK_inventory_item_id" PRIMARY KEY ("id")
      )`)
    await queryRunner.query(
      `CREATE UNIQUE INDEX IF NOT EXISTS "IDX_inventory_item_sku" ON "inventory_item" ("sku") WHERE deleted_at IS NULL`
    )

    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS "reservation_item" (
        "id" character varying NOT NULL,
        "created_at" timestamp with time zone NOT NULL DEFAULT now(),
        "updated_at" timestamp with time zone NOT NULL DEFAULT now(),
        "deleted_at" timestamp with time zone,
        "line_item_id" text,
        "inventory_item_id" text NOT NULL,
        "location_id" text NOT NULL,
        "quantity" integer NOT NULL,
        "metadata" jsonb,
        CONSTRAINT "PK_reservation_item_id" PRIMARY KEY ("id")
      )`)
    for (const column of ["line_item_id", "inventory_item_id", "location_id"]) {
      await queryRunner.query(
        `CREATE INDEX IF NOT EXISTS "IDX_reservation_item_${column}" ON "reservation_item" ("${column}") WHERE deleted_at IS NULL`
      )
    }

    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS "inventory_level" (
        "id" character varying NOT NULL,
        "created_at" timestamp with time zone NOT NULL DEFAULT now(),
        "updated_at" timestamp with time zone NOT NULL DEFAULT now(),
        "deleted_at" timestamp with time zone,
        "inventory_item_id" text NOT NULL,
        "location_id" text NOT NULL,
        "stocked_quantity" integer NOT NULL DEFAULT 0,
        "reserved_quantity" integer NOT NULL DEFAULT 0,
        "incoming_quantity" integer NOT NULL DEFAULT 0,
        "metadata" jsonb,
        CONSTRAINT "PK_inventory_level_id" PRIMARY KEY ("id")
      )`)
    // Made partial on deleted_at by a later migration (inventoryLevelUniqueLive1732867200000).
    await queryRunner.query(
      `CREATE UNIQUE INDEX IF NOT EXISTS "UQ_inventory_level_inventory_item_id_location_id" ON "inventory_level" ("inventory_item_id", "location_id")`
    )
    for (const column of ["inventory_item_id", "location_id"]) {
      await queryRunner.query(
        `CREATE INDEX IF NOT EXISTS "IDX_inventory_level_${column}" ON "inventory_level" ("${column}")`
      )
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS "inventory_level"`)
    await queryRunner.query(`DROP TABLE IF EXISTS "reservation_item"`)
    await queryRunner.query(`DROP TABLE IF EXISTS "inventory_item"`)
  }
}
