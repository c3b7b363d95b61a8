import type { MigrationInterface, QueryRunner } from "typeorm"

/**
 * Indexes for the list filters: trigram GIN indexes serve `q` (ILIKE '%text%' over sku, title
 * and description) when the pg_trgm extension can be had. pg_trgm is a trusted extension
 * (PostgreSQL 13+), so a database owner who is not superuser may create it; where it cannot be
 * created the DO blocks swallow the error (in a subtransaction) and `q` falls back to a scan.
 */
export class inventorySearchIndexes1732867300000 implements MigrationInterface {
  name = "inventorySearchIndexes1732867300000"

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DO $$
      BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
      EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'pg_trgm is not available (%); inventory search will scan', SQLERRM;
      END
      $$`)
    await queryRunner.query(`
      DO $$
      DECLARE
        ops text;
      BEGIN
        SELECT quote_ident(n.nspname) || '.gin_trgm_ops' INTO ops
          FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
         WHERE e.extname = 'pg_trgm';
        IF ops IS NOT NULL THEN
          EXECUTE format('CREATE INDEX IF NOT EXISTS "IDX_inventory_item_sku_trgm" ON "inventory_item" USING gin ("sku" %s) WHERE deleted_at IS NULL', ops);
          EXECUTE format('CREATE INDEX IF NOT EXISTS "IDX_inventory_item_title_trgm" ON "inventory_item" USING gin ("title" %s) WHERE deleted_at IS NULL', ops);
          EXECUTE format('CREATE INDEX IF NOT EXISTS "IDX_inventory_item_description_trgm" ON "inventory_item" USING gin ("description" %s) WHERE deleted_at IS NULL', ops);
        END IF;
      END
      $$`)
    // Live levels by location, with the item: serves listInventoryItems({ location_id }).
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "IDX_inventory_level_location_item_live" ON "inventory_level" ("location_id", "inventory_item_id") WHERE deleted_at IS NULL`
    )
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS "IDX_inventory_level_location_item_live"`)
    await queryRunner.query(`DROP INDEX IF EXISTS "IDX_inventory_item_description_trgm"`)
    await queryRunner.query(`DROP INDEX IF EXISTS "IDX_inventory_item_title_trgm"`)
    await queryRunner.query(`DROP INDEX IF EXISTS "IDX_inventory_item_sku_trgm"`)
    // pg_trgm stays: other tables may use it.
  }
}
